// Walks the entries of a raw (decompressed, checked) data block; malformed entries are corruption.

namespace GrainKV.Storage.Table;

/// <summary>One entry of a data block: a key and its value, or a tombstone (null value).</summary>
public readonly record struct TableEntry(byte[] Key, byte[]? Value);

/// <summary>Decodes data blocks.</summary>
public static class BlockReader
{
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
