// Unsigned LEB128 varints, the integer encoding of every versioning format: seven bits per byte,
// least significant group first, high bit set on every byte but the last. A ulong takes 1 to 10 bytes.

namespace GrainKV.Versioning;

/// <summary>Unsigned LEB128 varints.</summary>
public static class VarInt
{
    public const int MaxSize = 10;

    public static int Size(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a varint at <paramref name="offset"/> and advances it; throws <see cref="FormatException"/> if truncated or too long.</summary>
    public static ulong Read(ReadOnlySpan<byte> source, ref int offset)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= source.Length)
            {
                throw new FormatException("Truncated varint.");
            }

            var b = source[offset++];
            if (shift == 63 && b > 1)
            {
                throw new FormatException("Varint overflows 64 bits.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("Varint longer than 10 bytes.");
    }

    /// <summary>Reads a varint that must be a count or length no larger than <paramref name="max"/>.</summary>
    public static int ReadLength(ReadOnlySpan<byte> source, ref int offset, int max, string what)
    {
        var value = Read(source, ref offset);
        return value <= (ulong)max ? (int)value : throw new FormatException($"{what} {value} exceeds the {max} that fit in the input.");
    }
}
