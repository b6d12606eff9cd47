// A raw TCP connection to the gateway for tests that send exact bytes (pipelines, broken frames) and read
// replies back as RESP values: string (simple or bulk), "-..." error text, long, null, or object?[] arrays.

using System.Net.Sockets;
using System.Text;

namespace GrainKV.Tests.Resp;

public sealed class RespSocket : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TcpClient _client;
    private readonly BufferedStream _stream;

    private RespSocket(TcpClient client)
    {
        _client = client;
        _stream = new BufferedStream(client.GetStream());
    }

    public static async Task<RespSocket> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return new RespSocket(client);
    }

    /// <summary>An array command frame of <paramref name="arguments"/>.</summary>
    public static byte[] Frame(params object[] arguments)
    {
        var frame = new MemoryStream();
        frame.Write(Encoding.ASCII.GetBytes($"*{arguments.Length}\r\n"));
        foreach (var argument in arguments)
        {
            var bytes = argument as byte[] ?? Encoding.UTF8.GetBytes(argument.ToString()!);
            frame.Write(Encoding.ASCII.GetBytes($"${bytes.Length}\r\n"));
            frame.Write(bytes);
            frame.Write("\r\n"u8);
        }

        return frame.ToArray();
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends one command and reads its reply.</summary>
    public async Task<object?> CallAsync(params object[] arguments)
    {
        await SendAsync(Frame(arguments));
        return await ReadAsync();
    }

    /// <summary>The next reply (errors as "-..." strings).</summary>
    public async Task<object?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        return await ReadValueAsync(timeout.Token);
    }

    /// <summary>The next reply line as sent, CRLF included (to tell RESP3 types from RESP2 ones).</summary>
    public async Task<string> ReadRawLineAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        return await ReadLineAsync(timeout.Token) + "\r\n";
    }

    /// <summary>The next <paramref name="count"/> replies (or items of an aggregate whose header was read raw).</summary>
    public async Task<object?[]> ReadValuesAsync(int count)
    {
        var values = new object?[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = await ReadAsync();
        }

        return values;
    }

    /// <summary>True when the server closed the connection: the next read finds the end of the stream.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        var buffer = new byte[1];
        try
        {
            return await _stream.ReadAsync(buffer, timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true; // reset by the server
        }
    }

    /// <summary>Closes the sending side: the server sees the end of the stream.</summary>
    public void EndSending()
    {
        _stream.Flush();
        _client.Client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Reads and drops everything until the server closes the connection; returns the bytes read.</summary>
    public async Task<byte[]> ReadUntilClosedAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        var all = new MemoryStream();
        try
        {
            await _stream.CopyToAsync(all, timeout.Token);
        }
        catch (IOException)
        {
            // reset by the server after its last reply
        }

        return all.ToArray();
    }

    /// <summary>True when the server has closed the connection by now (does not wait).</summary>
    public bool IsClosedNow() => _client.Client.Poll(0, SelectMode.SelectRead) && _client.Client.Available == 0;

    private async Task<object?> ReadValueAsync(CancellationToken token)
    {
        var line = await ReadLineAsync(token);
        var body = line[1..];
        switch (line[0])
        {
            case '+':
                return body;
            case '-':
                return line;
            case ':':
                return long.Parse(body);
            case '_':
                return null;
            case '$':
                var length = int.Parse(body);
                if (length < 0)
                {
                    return null;
                }

                var bytes = new byte[length + 2];
                await _stream.ReadExactlyAsync(bytes, token);
                return Encoding.UTF8.GetString(bytes, 0, length);
            case '*' or '%':
                var count = int.Parse(body) * (line[0] == '%' ? 2 : 1);
                if (count < 0)
                {
                    return null;
                }

                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadValueAsync(token);
                }

                return items;
            default:
                throw new InvalidDataException($"Unexpected reply line '{line}'.");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken token)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _stream.ReadAsync(one, token) == 0)
            {
                throw new EndOfStreamException($"The server closed the connection (after '{line}').");
            }

            if (one[0] == '\n' && line.Length > 0 && line[^1] == '\r')
            {
                return line.ToString(0, line.Length - 1);
            }

            line.Append((char)one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
