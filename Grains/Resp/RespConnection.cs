// One client connection: read what arrived, parse every whole frame in it, run them in order, write their
// replies, flush once per read (so a pipelined batch gets its answers in one write, in order). A protocol
// error is answered ("-ERR Protocol error: ...") and closes the connection; so do QUIT, the client closing
// its side, the silo stopping, and IdleTimeout without a byte received or without its replies being taken
// (timed on the RespClock; a command being run is not idle time).

using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace GrainKV.Grains.Resp;

/// <summary>Serves one accepted socket until it closes.</summary>
internal sealed class RespConnection(Socket socket, long id, RespGateway gateway, TimeProvider time, ILogger logger)
{
    /// <summary>Largest bulk string before AUTH, where a password is set (Redis' limit).</summary>
    public const int UnauthenticatedMaxBulkLength = 16 * 1024;

    /// <summary>Most arguments of a command before AUTH, where a password is set (Redis' limit).</summary>
    public const int UnauthenticatedMaxArguments = 10;

    public async Task RunAsync(CancellationToken stopping)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream);
        var writer = PipeWriter.Create(stream);
        var session = new RespSession(id, remote, gateway.Options.Password is null, new RespReplyWriter(writer));
        var parser = new RespFrameParser(gateway.MaxBulkLength, gateway.Options.MaxArguments);
        var limited = !session.Authenticated;
        if (limited)
        {
            // Until AUTH, frames are kept small (as Redis does), so unauthenticated connections hold little memory.
            parser.SetLimits(Math.Min(gateway.MaxBulkLength, UnauthenticatedMaxBulkLength), Math.Min(gateway.Options.MaxArguments, UnauthenticatedMaxArguments));
        }

        var idleTimeout = gateway.Options.IdleTimeout;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var stop = stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), idle);
        var frames = new List<RespFrame>();
        try
        {
            while (true)
            {
                if (idleTimeout > TimeSpan.Zero)
                {
                    idle.CancelAfter(idleTimeout);
                }

                System.IO.Pipelines.ReadResult read;
                try
                {
                    read = await reader.ReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    RespLog.IdleClosed(logger, id, remote, idleTimeout);
                    return;
                }

                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                var buffer = read.Buffer;
                var sequence = new SequenceReader<byte>(buffer);
                RespParseStatus status;
                string error;
                while ((status = parser.TryParse(ref sequence, out var frame, out error)) == RespParseStatus.Frame)
                {
                    frames.Add(frame);
                }

                reader.AdvanceTo(sequence.Position, buffer.End);
                foreach (var frame in frames)
                {
                    await gateway.ExecuteAsync(session, frame, stopping);
                    if (limited && session.Authenticated)
                    {
                        limited = false;
                        parser.SetLimits(gateway.MaxBulkLength, gateway.Options.MaxArguments);
                    }

                    if (session.Closing)
                    {
                        break;
                    }
                }

                frames.Clear();
                if (status == RespParseStatus.ProtocolError && !session.Closing)
                {
                    session.Reply.Error($"ERR Protocol error: {error}");
                    session.Closing = true;
                    RespLog.ProtocolError(logger, id, remote, error);
                }

                // A client that stops reading its replies is idle too: the flush may wait for it at most IdleTimeout.
                if (idleTimeout > TimeSpan.Zero)
                {
                    idle.CancelAfter(idleTimeout);
                }

                await writer.FlushAsync(idle.Token);
                if (session.Closing || read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            RespLog.ConnectionFailed(logger, ex, id, remote);
        }
        finally
        {
            await reader.CompleteAsync();
            await writer.CompleteAsync();
            await stream.DisposeAsync();
        }
    }
}
