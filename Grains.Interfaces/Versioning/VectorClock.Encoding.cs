// The binary encoding of a vector clock, used inside the stored version set (VersionSetCodec) and as
// the opaque causal context handed to clients (base64url of Encode(), no padding).
//
//   Encode():   offset 0  1 byte   format version (ClockFormatVersion = 1)
//               offset 1  body
//   body:       varint    E, the number of entries
//               E times:  varint L, L bytes UTF-8 node id   (entries in ascending ordinal node-id order)
//                         varint counter                  (>= 1)
//                         varint timestamp                (Unix ms, int64 reinterpreted as uint64)
//
// Varints are unsigned LEB128 (Varint). Decoding rejects unknown versions, truncation, trailing bytes,
// empty or unordered node ids and zero counters with a FormatException, so each clock has exactly
// one encoding.

using System.Buffers.Text;
using System.Text;
using GrainKV.Shared;

namespace GrainKV.Versioning;

public sealed partial class VectorClock
{
    /// <summary>The format version written by <see cref="Encode"/>.</summary>
    public const byte ClockFormatVersion = 1;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The compact binary form: a version byte, then the body described at the top of this file.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[1 + BodySize()];
        bytes[0] = ClockFormatVersion;
        WriteBody(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>Length of <see cref="Encode"/>'s output.</summary>
    public int EncodedSize => 1 + BodySize();

    /// <summary>Writes <see cref="Encode"/>'s output to <paramref name="destination"/> and returns its length.</summary>
    public int EncodeTo(Span<byte> destination)
    {
        destination[0] = ClockFormatVersion;
        return 1 + WriteBody(destination[1..]);
    }

    /// <summary>Decodes <see cref="Encode"/>'s output; throws <see cref="FormatException"/> if malformed.</summary>
    public static VectorClock Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0 || encoded[0] != ClockFormatVersion)
        {
            throw new FormatException(encoded.Length == 0 ? "Empty vector clock." : $"Unknown vector clock format version {encoded[0]}.");
        }

        var offset = 1;
        var clock = ReadBody(encoded, ref offset);
        return offset == encoded.Length ? clock : throw new FormatException("Trailing bytes after the vector clock.");
    }

    /// <summary>The causal context string a client hands back on its next write (base64url, no padding).</summary>
    public string ToContextString() => Base64Url.EncodeToString(Encode());

    /// <summary>Parses <see cref="ToContextString"/>'s output; throws <see cref="FormatException"/> if malformed.</summary>
    public static VectorClock FromContextString(string context)
    {
        ArgumentNullException.ThrowIfNull(context);
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(context);
        }
        catch (FormatException e)
        {
            throw new FormatException("The causal context is not base64url.", e);
        }

        return Decode(bytes);
    }

    /// <summary>Like <see cref="FromContextString"/>, returning false instead of throwing.</summary>
    public static bool TryParseContext(string? context, out VectorClock clock)
    {
        clock = Empty;
        if (context is null)
        {
            return false;
        }

        try
        {
            clock = FromContextString(context);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    internal int BodySize()
    {
        var size = Varint.Size((ulong)_entries.Length);
        foreach (var e in _entries)
        {
            var length = Encoding.UTF8.GetByteCount(e.NodeId);
            size += Varint.Size((ulong)length) + length + Varint.Size(e.Counter) + Varint.Size((ulong)e.TimestampUnixMs);
        }

        return size;
    }

    internal int WriteBody(Span<byte> destination)
    {
        var offset = Varint.Write(destination, (ulong)_entries.Length);
        foreach (var e in _entries)
        {
            offset += Varint.Write(destination[offset..], (ulong)Encoding.UTF8.GetByteCount(e.NodeId));
            offset += Encoding.UTF8.GetBytes(e.NodeId, destination[offset..]);
            offset += Varint.Write(destination[offset..], e.Counter);
            offset += Varint.Write(destination[offset..], (ulong)e.TimestampUnixMs);
        }

        return offset;
    }

    internal static VectorClock ReadBody(ReadOnlySpan<byte> source, ref int offset)
    {
        // Every entry takes at least 4 bytes, which bounds the count before anything is allocated.
        var count = Varint.ReadLength(source, ref offset, (source.Length - offset) / 4, "Clock entry count");
        var entries = new ClockEntry[count];
        for (var i = 0; i < count; i++)
        {
            var length = Varint.ReadFollowingLength(source, ref offset, "Node id length");
            string nodeId;
            try
            {
                nodeId = StrictUtf8.GetString(source.Slice(offset, length));
            }
            catch (DecoderFallbackException e)
            {
                throw new FormatException("A clock node id is not valid UTF-8.", e);
            }

            offset += length;
            var counter = Varint.Read(source, ref offset);
            var timestamp = (long)Varint.Read(source, ref offset);
            entries[i] = new ClockEntry(nodeId, counter, timestamp);
        }

        return FromSorted(entries, static message => new FormatException(message));
    }
}
