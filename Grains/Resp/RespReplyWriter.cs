// Encodes replies in RESP2 or RESP3 (chosen per connection by HELLO). Where the two differ, RESP3 types fall
// back to their RESP2 form: a map is written as an array of alternating keys and values, a null as "$-1".
//
//   +OK\r\n  simple string        -ERR msg\r\n  error         :42\r\n  integer
//   $3\r\nabc\r\n  bulk string    *2\r\n...  array            %1\r\n...  map (RESP3)
//   _\r\n  null (RESP3)           $-1\r\n  null bulk (RESP2)

using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace GrainKV.Grains.Resp;

/// <summary>Writes replies of one connection into its output buffer.</summary>
public sealed class RespReplyWriter(IBufferWriter<byte> output)
{
    /// <summary>2 (RESP2, the default) or 3 (after HELLO 3).</summary>
    public int Protocol { get; set; } = 2;

    public void SimpleString(string text) => Line((byte)'+', text);

    /// <summary>An error reply; <paramref name="message"/> starts with its code (ERR, NOAUTH, WRONGPASS ...).</summary>
    public void Error(string message) => Line((byte)'-', message);

    public void Ok() => Write("+OK\r\n"u8);

    public void Integer(long value) => Number((byte)':', value);

    public void Bulk(ReadOnlySpan<byte> value)
    {
        Number((byte)'$', value.Length);
        Write(value);
        Write("\r\n"u8);
    }

    public void BulkString(string value) => Bulk(Encoding.UTF8.GetBytes(value));

    /// <summary>A bulk string, or null when <paramref name="value"/> is null.</summary>
    public void BulkOrNull(byte[]? value)
    {
        if (value is null)
        {
            Null();
        }
        else
        {
            Bulk(value);
        }
    }

    public void Null() => Write(Protocol == 3 ? "_\r\n"u8 : "$-1\r\n"u8);

    public void ArrayHeader(int count) => Number((byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> entries (each entry: a key, then a value, written by the caller).</summary>
    public void MapHeader(int pairs)
    {
        if (Protocol == 3)
        {
            Number((byte)'%', pairs);
        }
        else
        {
            Number((byte)'*', 2 * pairs);
        }
    }

    private void Line(byte type, string text)
    {
        var clean = text.ReplaceLineEndings(" ");
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(clean.Length) + 3);
        span[0] = type;
        var written = Encoding.UTF8.GetBytes(clean, span[1..]);
        "\r\n"u8.CopyTo(span[(1 + written)..]);
        output.Advance(written + 3);
    }

    private void Number(byte type, long value)
    {
        var span = output.GetSpan(24);
        span[0] = type;
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        "\r\n"u8.CopyTo(span[(1 + written)..]);
        output.Advance(written + 3);
    }

    private void Write(ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
