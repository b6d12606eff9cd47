// Decodes the entries of a raw (decompressed, checked) data block; malformed entries are corruption.

using GrainKV.Shared;

namespace GrainKV.Storage.Table;

/// <summary>One entry of a data block: a key and its value, or a tombstone (null value).</summary>
public readonly record struct TableEntry(byte[] Key, byte[]? Value);

/// <summary>Decodes data blocks.</summary>
public static class BlockReader
{
    /// <summary>Finds <paramref name="key"/> in a raw data block without materializing any entry: the value is returned
    /// in place, as a slice of <paramref name="block"/>. Returns false if absent; true with a tombstone for a deletion.</summary>
    internal static bool TryFind(byte[] block, ReadOnlySpan<byte> key, string file, out StoredValue value)
    {
        value = StoredValue.Tombstone;
        var offset = 0;
        while (offset < block.Length)
        {
            var (keyLength, valueLength, tombstone) = ReadHeader(block, ref offset, file);
            var order = block.AsSpan(offset, keyLength).SequenceCompareTo(key);
            offset += keyLength;
            if (order == 0)
            {
                value = tombstone ? StoredValue.Tombstone : new StoredValue(block, offset, valueLength);
                return true;
            }

            if (order > 0)
            {
                return false;
            }

            offset += valueLength;
        }

        return false;
    }

    /// <summary>All entries of a raw data block, in key order, in place: slices of <paramref name="block"/>.</summary>
    internal static IEnumerable<EntryInPlace> Entries(ArraySegment<byte> block, string file)
    {
        var offset = 0;
        while (offset < block.Count)
        {
            var (keyLength, valueLength, tombstone) = ReadHeader(block, ref offset, file);
            var key = block.AsMemory(offset, keyLength);
            offset += keyLength;
            yield return new EntryInPlace(key, tombstone ? StoredValue.Tombstone : new StoredValue(block.Array, block.Offset + offset, valueLength));
            offset += valueLength;
        }
    }

    /// <summary>Reads an entry header and checks that the entry fits in the block.</summary>
    private static (int KeyLength, int ValueLength, bool Tombstone) ReadHeader(ReadOnlySpan<byte> block, ref int offset, string file)
    {
        if (!Varint.TryRead(block, ref offset, out var keyLength) || offset >= block.Length)
        {
            throw new CorruptionException(file, "truncated entry header in data block");
        }

        var tombstone = (block[offset++] & TableFormat.TombstoneFlag) != 0;
        ulong valueLength = 0;
        if (!tombstone && !Varint.TryRead(block, ref offset, out valueLength))
        {
            throw new CorruptionException(file, "truncated value length in data block");
        }

        var left = (ulong)(block.Length - offset);
        if (keyLength > left || valueLength > left - keyLength) // (not keyLength + valueLength: the sum could wrap)
        {
            throw new CorruptionException(file, "entry runs past the end of its data block");
        }

        return ((int)keyLength, (int)valueLength, tombstone);
    }
}
