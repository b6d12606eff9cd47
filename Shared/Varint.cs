// Unsigned LEB128 varints, the one integer encoding of the table blocks (Storage) and of every
// versioning format (Grains.Interfaces): seven bits per byte, least significant group first, high bit set
// on every byte but the last. A ulong takes 1 to 10 bytes; 300 is AC 02.
//
// This file is compiled into both assemblies (a linked <Compile Include>), internal in each: the engine
// takes no Orleans dependency and the interfaces that ship to clients take no engine dependency.

namespace GrainKV.Shared;

/// <summary>Unsigned LEB128 varints.</summary>
internal static class Varint
{
    /// <summary>Bytes of the longest varint (a ulong).</summary>
    public const int MaxSize = 10;

    /// <summary>Bytes <paramref name="value"/> takes.</summary>
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

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
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

    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>.</summary>
    public static void Write(Stream destination, ulong value)
    {
        Span<byte> buffer = stackalloc byte[MaxSize];
        destination.Write(buffer[..Write(buffer, value)]);
    }

    /// <summary>Reads a varint at <paramref name="offset"/>, advancing it. False if the bytes end first, or the
    /// varint is longer than 10 bytes or overflows 64 bits.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, ref int offset, out ulong value) =>
        Decode(source, ref offset, out value) is null;

    /// <summary>Reads a varint at <paramref name="offset"/> and advances it.</summary>
    /// <exception cref="FormatException">Truncated, longer than 10 bytes, or over 64 bits.</exception>
    public static ulong Read(ReadOnlySpan<byte> source, ref int offset) =>
        Decode(source, ref offset, out var value) is { } problem ? throw new FormatException(problem) : value;

    /// <summary>Reads a varint that must be a count or length no larger than <paramref name="max"/>.</summary>
    /// <exception cref="FormatException">A malformed varint, or a value above <paramref name="max"/>.</exception>
    public static int ReadLength(ReadOnlySpan<byte> source, ref int offset, int max, string what)
    {
        var value = Read(source, ref offset);
        return value <= (ulong)max ? (int)value : throw new FormatException($"{what} {value} exceeds the {max} that fit in the input.");
    }

    /// <summary>Reads the length of the bytes that follow the varint: it must not exceed what is left of
    /// <paramref name="source"/> after the varint itself, so that slicing that many bytes cannot fail.</summary>
    /// <exception cref="FormatException">A malformed varint, or a length past the end of the input.</exception>
    public static int ReadFollowingLength(ReadOnlySpan<byte> source, ref int offset, string what)
    {
        var value = Read(source, ref offset);
        var left = source.Length - offset;
        return value <= (ulong)left ? (int)value : throw new FormatException($"{what} {value} exceeds the {left} bytes left in the input.");
    }

    /// <summary>Null on success, else what is wrong with the bytes.</summary>
    private static string? Decode(ReadOnlySpan<byte> source, ref int offset, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= source.Length)
            {
                return "Truncated varint.";
            }

            var b = source[offset++];
            if (shift == 63 && b > 1)
            {
                return "Varint overflows 64 bits.";
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return null;
            }
        }

        return "Varint longer than 10 bytes.";
    }
}
