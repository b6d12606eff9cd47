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
        switch (stored[payload])
        {
            case TableFormat.RawBlock when rawLength == payload:
                return stored[..payload].ToArray();
            case TableFormat.Lz4Block:
                var raw = GC.AllocateUninitializedArray<byte>(rawLength); // every byte is written below, or the block is refused
                if (LZ4Codec.Decode(stored[..payload], raw) != rawLength)
                {
                    throw new CorruptionException(file, $"block at {offset} does not decompress to {rawLength} bytes");
                }

                return raw;
            default:
                throw new CorruptionException(file, $"block at {offset} has unknown kind {stored[payload]} or bad length");
        }
    }
}
