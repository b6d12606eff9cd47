// An incremental parser of RESP request frames, fed from a PipeReader's buffer. It accepts what Redis accepts
// from clients: arrays of bulk strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline commands ("GET k\r\n",
// words split on spaces, as typed into telnet). It keeps its position inside a frame between calls, so a
// frame may arrive in any number of pieces, and it never holds more than one line header (32 bytes), one
// inline line (64 KiB) or one bulk string (the configured limit) at a time:
//
//   - a bulk string longer than the limit, or an array with more arguments than the limit, is read to its
//     end without being kept (a long bulk is discarded as it arrives) and the frame comes out refused;
//   - anything that is not RESP (a bad length, a missing CRLF, a line without an end) is a protocol error
//     after which the connection must be closed, as Redis does.
//
// Why not a library: of the NuGet packages served here, Garnet's RESP code comes only inside the whole server
// package (Microsoft.Garnet, with its Tsavorite store), and its readers work on raw pointers over Garnet's own
// network buffers; the Redis client libraries parse replies, not requests. This parser is small, owned here and
// fuzzed (Tests/Resp/RespFrameParserFuzzTests.cs).

using System.Buffers;
using System.Buffers.Text;

namespace GrainKV.Grains.Resp;

/// <summary>Reads request frames one after another; one instance per connection.</summary>
public sealed class RespFrameParser
{
    /// <summary>Longest bulk string the protocol allows at all (Redis' proto-max-bulk-len).</summary>
    public const int MaxProtocolBulkLength = 512 * 1024 * 1024;

    /// <summary>Most arguments the protocol allows at all (Redis' limit).</summary>
    public const int MaxProtocolArguments = 1024 * 1024;

    /// <summary>Longest inline command line (Redis' PROTO_INLINE_MAX_SIZE).</summary>
    public const int MaxInlineLength = 64 * 1024;

    private const int MaxHeaderLength = 32;

    private int _maxBulkLength;
    private int _maxArguments;

    private int _remaining = -1;     // arguments of the current array still to read; -1: at a frame's start
    private List<byte[]>? _arguments; // null while the current frame is refused
    private long _bulkLength = -1;    // length of the bulk whose header was read; -1: a '$' header comes next
    private long _discard;            // bytes of a refused bulk (CRLF included) still to skip
    private string? _rejection;

    public RespFrameParser(int maxBulkLength, int maxArguments) => SetLimits(maxBulkLength, maxArguments);

    /// <summary>Changes the limits for the frames that start from now on.</summary>
    public void SetLimits(int maxBulkLength, int maxArguments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBulkLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArguments, 1);
        _maxBulkLength = maxBulkLength;
        _maxArguments = maxArguments;
    }

    /// <summary>Reads the next frame from <paramref name="reader"/>, consuming what it read. With
    /// <see cref="RespParseStatus.ProtocolError"/>, <paramref name="error"/> says why.</summary>
    public RespParseStatus TryParse(ref SequenceReader<byte> reader, out RespFrame frame, out string error)
    {
        frame = default;
        error = "";
        while (true)
        {
            if (_remaining < 0)
            {
                if (!reader.TryPeek(out var first))
                {
                    return RespParseStatus.NeedMore;
                }

                var start = first == (byte)'*' ? StartArray(ref reader, out error) : ReadInline(ref reader, out frame, out error);
                if (start != RespParseStatus.Frame || _remaining < 0 && frame.Arguments is not null)
                {
                    return start;
                }

                if (_remaining < 0)
                {
                    continue; // an empty array or an empty line: Redis skips them
                }
            }

            while (_remaining > 0)
            {
                var step = ReadArgument(ref reader, out error);
                if (step != RespParseStatus.Frame)
                {
                    return step;
                }
            }

            frame = new RespFrame(_arguments ?? (IReadOnlyList<byte[]>)[], _rejection);
            _remaining = -1;
            _arguments = null;
            _rejection = null;
            return RespParseStatus.Frame;
        }
    }

    private RespParseStatus StartArray(ref SequenceReader<byte> reader, out string error)
    {
        var line = ReadLine(ref reader, MaxHeaderLength, requireCr: true, out var header, out error);
        if (line != RespParseStatus.Frame)
        {
            return line;
        }

        if (!TryParseHeaderLength(header, out var count) || count > MaxProtocolArguments)
        {
            error = "invalid multibulk length";
            return RespParseStatus.ProtocolError;
        }

        if (count <= 0)
        {
            return RespParseStatus.Frame;
        }

        _remaining = (int)count;
        if (count > _maxArguments)
        {
            _rejection = $"too many arguments ({count}); at most {_maxArguments} per command";
            _arguments = null;
        }
        else
        {
            _arguments = new List<byte[]>((int)count);
        }

        return RespParseStatus.Frame;
    }

    private RespParseStatus ReadArgument(ref SequenceReader<byte> reader, out string error)
    {
        error = "";
        if (_discard > 0)
        {
            var skipped = Math.Min(_discard, reader.Remaining);
            reader.Advance(skipped);
            _discard -= skipped;
            if (_discard > 0)
            {
                return RespParseStatus.NeedMore;
            }

            _remaining--;
            return RespParseStatus.Frame;
        }

        if (_bulkLength < 0)
        {
            if (!reader.TryPeek(out var marker))
            {
                return RespParseStatus.NeedMore;
            }

            if (marker != (byte)'$')
            {
                error = $"expected '$', got '{Printable(marker)}'";
                return RespParseStatus.ProtocolError;
            }

            var line = ReadLine(ref reader, MaxHeaderLength, requireCr: true, out var header, out error);
            if (line != RespParseStatus.Frame)
            {
                return line;
            }

            if (!TryParseHeaderLength(header, out var length) || length < 0 || length > MaxProtocolBulkLength)
            {
                error = "invalid bulk length";
                return RespParseStatus.ProtocolError;
            }

            if (length > _maxBulkLength)
            {
                _rejection ??= $"bulk string of {length} bytes exceeds the limit of {_maxBulkLength} bytes; nothing was stored";
                _arguments = null;
                _discard = length + 2;
                return RespParseStatus.Frame;
            }

            _bulkLength = length;
        }

        if (reader.Remaining < _bulkLength + 2)
        {
            return RespParseStatus.NeedMore;
        }

        var bytes = new byte[_bulkLength];
        reader.TryCopyTo(bytes);
        reader.Advance(_bulkLength);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            error = "bulk string not terminated by CRLF";
            return RespParseStatus.ProtocolError;
        }

        _arguments?.Add(bytes);
        _bulkLength = -1;
        _remaining--;
        return RespParseStatus.Frame;
    }

    private RespParseStatus ReadInline(ref SequenceReader<byte> reader, out RespFrame frame, out string error)
    {
        frame = default;
        var line = ReadLine(ref reader, MaxInlineLength, requireCr: false, out var lineBytes, out error);
        if (line != RespParseStatus.Frame)
        {
            if (line == RespParseStatus.ProtocolError)
            {
                error = "too big inline request";
            }

            return line;
        }

        var text = lineBytes.ToArray();
        var words = new List<byte[]>();
        foreach (var range in text.AsSpan().SplitAny(" \t"u8))
        {
            if (range.End.GetOffset(text.Length) > range.Start.GetOffset(text.Length))
            {
                words.Add(text[range]);
            }
        }

        if (words.Count == 0)
        {
            return RespParseStatus.Frame; // an empty line: nothing to do
        }

        string? rejection = null;
        if (words.Count > _maxArguments)
        {
            rejection = $"too many arguments ({words.Count}); at most {_maxArguments} per command";
        }
        else if (words.Max(w => w.Length) is var longest && longest > _maxBulkLength)
        {
            rejection = $"bulk string of {longest} bytes exceeds the limit of {_maxBulkLength} bytes; nothing was stored";
        }

        frame = rejection is null ? new RespFrame(words, null) : new RespFrame([], rejection);
        return RespParseStatus.Frame;
    }

    // Reads one line ending in LF (CRLF when requireCr) of at most maxLength bytes before the terminator,
    // returning it without the terminator. Nothing is consumed unless the whole line is there.
    private static RespParseStatus ReadLine(ref SequenceReader<byte> reader, int maxLength, bool requireCr, out ReadOnlySequence<byte> line, out string error)
    {
        line = default;
        error = "";
        var window = reader.UnreadSequence.Slice(0, Math.Min(reader.Remaining, maxLength + 2));
        if (window.PositionOf((byte)'\n') is not { } end)
        {
            if (window.Length < maxLength + 2)
            {
                return RespParseStatus.NeedMore;
            }

            error = "line too long";
            return RespParseStatus.ProtocolError;
        }

        // The line stays a slice of the pipe's buffer (valid until the connection consumes past it, after this parse).
        var raw = window.Slice(0, end);
        reader.Advance(raw.Length + 1);
        var hasCr = raw.Length > 0 && raw.Slice(raw.Length - 1).FirstSpan[0] == (byte)'\r';
        if (requireCr && !hasCr)
        {
            error = "line not terminated by CRLF";
            return RespParseStatus.ProtocolError;
        }

        line = hasCr ? raw.Slice(0, raw.Length - 1) : raw;
        return RespParseStatus.Frame;
    }

    // The length in a header line ('*' or '$' and a decimal), read without copying the line to the heap: a header is at
    // most MaxHeaderLength bytes, and every command has one per argument.
    private static bool TryParseHeaderLength(ReadOnlySequence<byte> header, out long value)
    {
        Span<byte> copy = stackalloc byte[MaxHeaderLength];
        var text = header.IsSingleSegment ? header.FirstSpan : copy[..(int)header.Length];
        if (!header.IsSingleSegment)
        {
            header.CopyTo(copy);
        }

        return TryParseLength(text[1..], out value);
    }

    // A decimal length: digits with an optional leading '-', nothing else.
    private static bool TryParseLength(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && text.Length > 0
        && text[0] != (byte)'+' && !(text.Length > 1 && text[0] == (byte)'0');

    private static string Printable(byte b) => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:x2}";
}
