// Sealing and opening stored blocks: optional LZ4 compression, then a trailer with the kind, the raw
// length and a CRC-32 that is checked on every read (see TableFormat for the layout).

using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace GrainKV.Storage.Table;

/// <summary>Encodes and decodes the stored form of a block.</summary>
public static class BlockCodec
{
    /// <summary>The largest stored form of a block of <paramref name="rawLength"/> bytes (see <see cref="Seal"/>).</summary>
    public static int MaxSealedLength(int rawLength) => LZ4Codec.MaximumOutputSize(rawLength) + TableFormat.BlockTrailerSize;

    /// <summary>Writes the stored form of <paramref name="raw"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxSealedLength"/> bytes) and returns its length: LZ4-compressed when <paramref name="compress"/>
    /// and it saves space, raw otherwise.</summary>
    public static int Seal(ReadOnlySpan<byte> raw, bool compress, Span<byte> destination)
    {
        var compressedLength = compress ? LZ4Codec.Encode(raw, destination[..^TableFormat.BlockTrailerSize], LZ4Level.L00_FAST) : -1;
        byte kind;
        int payload;
        if (compressedLength > 0 && compressedLength < raw.Length - raw.Length / 8)
        {
            payload = compressedLength;
            kind = TableFormat.Lz4Block;
        }
        else
        {
            raw.CopyTo(destination);
            payload = raw.Length;
            kind = TableFormat.RawBlock;
        }

        destination[payload] = kind;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(payload + 1)..], (uint)raw.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(payload + 5)..], Crc32.HashToUInt32(destination[..(payload + 5)]));
        return payload + TableFormat.BlockTrailerSize;
    }

    /// <summary>The raw bytes of a stored block. Throws <see cref="CorruptionException"/> on a bad checksum or kind.</summary>
    public static byte[] Open(ReadOnlySpan<byte> stored, string file, long offset)
    {
        var (payload, rawLength, compressed) = Check(stored, file, offset);
        if (!compressed)
        {
            return stored[..payload].ToArray();
        }

        var raw = GC.AllocateUninitializedArray<byte>(rawLength); // every byte is written by Decompress, or the block is refused
        Decompress(stored[..payload], raw, file, offset);
        return raw;
    }

    /// <summary>The raw bytes of a stored block without a new array: a slice of <paramref name="stored"/> itself when it
    /// is not compressed, else decompressed into <paramref name="buffer"/> (grown when too small, then reused, so the
    /// result is valid until the next call with the same buffer). Checks as <see cref="Open"/> does.</summary>
    internal static ArraySegment<byte> OpenInPlace(ArraySegment<byte> stored, ref byte[] buffer, string file, long offset)
    {
        var (payload, rawLength, compressed) = Check(stored, file, offset);
        if (!compressed)
        {
            return stored[..payload];
        }

        if (buffer.Length < rawLength)
        {
            buffer = GC.AllocateUninitializedArray<byte>(Math.Max(rawLength, buffer.Length * 2));
        }

        Decompress(stored.AsSpan(0, payload), buffer.AsSpan(0, rawLength), file, offset);
        return new ArraySegment<byte>(buffer, 0, rawLength);
    }

    /// <summary>Checks a stored block's trailer and checksum: its payload length, raw length and whether it is compressed.</summary>
    private static (int Payload, int RawLength, bool Compressed) Check(ReadOnlySpan<byte> stored, string file, long offset)
    {
        if (stored.Length < TableFormat.BlockTrailerSize)
        {
            throw new CorruptionException(file, $"block at {offset} is {stored.Length} bytes, shorter than its trailer");
        }

        var payload = stored.Length - TableFormat.BlockTrailerSize;
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(stored[(payload + 5)..]);
        if (Crc32.HashToUInt32(stored[..(payload + 5)]) != expected)
        {
            throw new CorruptionException(file, $"checksum mismatch in block at {offset}");
        }

        var rawLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(stored[(payload + 1)..]);
        return stored[payload] switch
        {
            TableFormat.RawBlock when rawLength == payload => (payload, rawLength, false),
            TableFormat.Lz4Block when rawLength >= 0 => (payload, rawLength, true),
            _ => throw new CorruptionException(file, $"block at {offset} has unknown kind {stored[payload]} or bad length"),
        };
    }

    private static void Decompress(ReadOnlySpan<byte> payload, Span<byte> raw, string file, long offset)
    {
        if (LZ4Codec.Decode(payload, raw) != raw.Length)
        {
            throw new CorruptionException(file, $"block at {offset} does not decompress to {raw.Length} bytes");
        }
    }
}
