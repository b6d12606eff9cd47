// Walks the entries of a raw (decompressed, checked) data block; malformed entries are corruption.

namespace GrainKV.Storage.Table;

/// <summary>One entry of a data block: a key and its value, or a tombstone (null value).</summary>
public readonly record struct TableEntry(byte[] Key, byte[]? Value);

/// <summary>Decodes data blocks.</summary>
public static class BlockReader
{
    /// <summary>Finds <paramref name="key"/> in a raw data block without materializing other entries.
    /// Returns false if absent; true with a null <paramref name="value"/> for a tombstone.</summary>
    public static bool TryFind(ReadOnlySpan<byte> block, ReadOnlySpan<byte> key, string file, out byte[]? value)
    {
        value = null;
        var offset = 0;
        while (offset < block.Length)
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

            if (keyLength + valueLength > (ulong)(block.Length - offset))
            {
                throw new CorruptionException(file, "entry runs past the end of its data block");
            }

            var order = block.Slice(offset, (int)keyLength).SequenceCompareTo(key);
            offset += (int)keyLength;
            if (order == 0)
            {
                value = tombstone ? null : block.Slice(offset, (int)valueLength).ToArray();
                return true;
            }

            if (order > 0)
            {
                return false;
            }

            offset += (int)valueLength;
        }

        return false;
    }

    /// <summary>All entries of a raw data block, in key order.</summary>
    public static List<TableEntry> Entries(ReadOnlySpan<byte> block, string file)
    {
        var entries = new List<TableEntry>();
        var offset = 0;
        while (offset < block.Length)
        {
            if (!Varint.TryRead(block, ref offset, out var keyLength) || offset >= block.Length)
            {
                throw new CorruptionException(file, "truncated entry header in data block");
            }

            var flags = block[offset++];
            ulong valueLength = 0;
            var tombstone = (flags & TableFormat.TombstoneFlag) != 0;
            if (!tombstone && !Varint.TryRead(block, ref offset, out valueLength))
            {
                throw new CorruptionException(file, "truncated value length in data block");
            }

            if (keyLength + valueLength > (ulong)(block.Length - offset))
            {
                throw new CorruptionException(file, "entry runs past the end of its data block");
            }

            var key = block.Slice(offset, (int)keyLength).ToArray();
            offset += (int)keyLength;
            byte[]? value = null;
            if (!tombstone)
            {
                value = block.Slice(offset, (int)valueLength).ToArray();
                offset += (int)valueLength;
            }

            entries.Add(new TableEntry(key, value));
        }

        return entries;
    }
}
