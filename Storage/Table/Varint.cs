// Unsigned LEB128 varints used inside table blocks.

namespace GrainKV.Storage.Table;

/// <summary>Reads and writes unsigned 7-bit varints.</summary>
public static class Varint
{
    public static void Write(Stream destination, ulong value)
    {
        while (value >= 0x80)
        {
            destination.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        destination.WriteByte((byte)value);
    }

    /// <summary>Reads a varint at <paramref name="offset"/>, advancing it. Returns false if the bytes end or it is over-long.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, ref int offset, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= source.Length)
            {
                return false;
            }

            var b = source[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
