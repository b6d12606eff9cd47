// The binary form of a key's sibling set: what a replica stores under the key in the storage engine.
//
//   offset 0  1 byte   format version (FormatVersion = 1)
//   offset 1  varint   S, the number of siblings
//   S times:  1 byte   flags: bit 0 set = has a value (clear = tombstone); other bits zero
//             varint   timestamp (Unix ms, int64 reinterpreted as uint64)
//             clock    the vector clock body (VectorClock.Encoding.cs: entry count, then entries)
//             varint   value length V, then V bytes          (only when bit 0 is set)
//
// Varints are unsigned LEB128. Decoding throws FormatException on an unknown version, unknown flags,
// truncation or trailing bytes.

namespace GrainKV.Versioning;

/// <summary>Encodes and decodes a set of sibling versions.</summary>
public static class SiblingSetCodec
{
    public const byte FormatVersion = 1;

    private const byte HasValue = 1;

    public static byte[] Encode(IReadOnlyCollection<VersionedValue> siblings)
    {
        ArgumentNullException.ThrowIfNull(siblings);
        var size = 1 + VarInt.Size((ulong)siblings.Count);
        foreach (var s in siblings)
        {
            size += 1 + VarInt.Size((ulong)s.TimestampUnixMs) + s.Clock.BodySize();
            size += s.Value is null ? 0 : VarInt.Size((ulong)s.Value.Length) + s.Value.Length;
        }

        var bytes = new byte[size];
        bytes[0] = FormatVersion;
        var offset = 1 + VarInt.Write(bytes.AsSpan(1), (ulong)siblings.Count);
        foreach (var s in siblings)
        {
            bytes[offset++] = s.Value is null ? (byte)0 : HasValue;
            offset += VarInt.Write(bytes.AsSpan(offset), (ulong)s.TimestampUnixMs);
            offset += s.Clock.WriteBody(bytes.AsSpan(offset));
            if (s.Value is not null)
            {
                offset += VarInt.Write(bytes.AsSpan(offset), (ulong)s.Value.Length);
                s.Value.CopyTo(bytes.AsSpan(offset));
                offset += s.Value.Length;
            }
        }

        return bytes;
    }

    public static IReadOnlyList<VersionedValue> Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0 || encoded[0] != FormatVersion)
        {
            throw new FormatException(encoded.Length == 0 ? "Empty sibling set." : $"Unknown sibling set format version {encoded[0]}.");
        }

        var offset = 1;
        // Every sibling takes at least 3 bytes (flags, timestamp, empty clock).
        var count = VarInt.ReadLength(encoded, ref offset, (encoded.Length - offset) / 3, "Sibling count");
        var siblings = new VersionedValue[count];
        for (var i = 0; i < count; i++)
        {
            var flags = offset < encoded.Length ? encoded[offset++] : throw new FormatException("Truncated sibling.");
            if ((flags & ~HasValue) != 0)
            {
                throw new FormatException($"Unknown sibling flags 0x{flags:x2}.");
            }

            var timestamp = (long)VarInt.Read(encoded, ref offset);
            var clock = VectorClock.ReadBody(encoded, ref offset);
            byte[]? value = null;
            if (flags == HasValue)
            {
                var length = VarInt.ReadLength(encoded, ref offset, encoded.Length - offset, "Value length");
                value = encoded.Slice(offset, length).ToArray();
                offset += length;
            }

            siblings[i] = new VersionedValue(clock, value, timestamp);
        }

        return offset == encoded.Length ? siblings : throw new FormatException("Trailing bytes after the sibling set.");
    }
}
