// Writes a sorted run of entries as an SSTable: data blocks cut at the block size, then the index,
// the bloom filter and the footer; written to a temporary file, fsynced, renamed into place, and the
// directory fsynced (so the rename survives a crash before a manifest names the table).

using GrainKV.Shared;
using GrainKV.Storage.IO;

namespace GrainKV.Storage.Table;

/// <summary>Settings of a table being written.</summary>
public readonly record struct TableWriterOptions(int BlockSize, int BloomBitsPerKey, bool Compress);

/// <summary>What was written.</summary>
public readonly record struct TableInfo(long FileSize, long EntryCount);

/// <summary>Builds SSTable files.</summary>
public static class TableWriter
{
    /// <summary>Writes <paramref name="entries"/> (strictly increasing keys) to <paramref name="path"/> durably.</summary>
    public static TableInfo Write(IFileSystem files, string path, IEnumerable<TableEntry> entries, TableWriterOptions options) =>
        Write(files, path, entries.Select(EntryInPlace.Of), options);

    /// <summary>Writes <paramref name="entries"/> (strictly increasing keys) to <paramref name="path"/> durably. Each
    /// entry is copied into the block being built before the next is asked for, so a source may reuse its buffers.</summary>
    internal static TableInfo Write(IFileSystem files, string path, IEnumerable<EntryInPlace> entries, TableWriterOptions options)
    {
        var temporary = path + ".tmp";
        long count = 0;
        var hashes = new List<ulong>();
        var sealedBlock = Array.Empty<byte>();
        var lastKey = new byte[64];
        var lastKeyLength = -1;
        long size;
        using (var file = files.Create(temporary))
        {
            using var block = new MemoryStream();
            using var index = new MemoryStream();
            foreach (var entry in entries)
            {
                var key = entry.Key.Span;
                if (lastKeyLength >= 0 && key.SequenceCompareTo(lastKey.AsSpan(0, lastKeyLength)) <= 0)
                {
                    throw new InvalidOperationException("Table entries must have strictly increasing keys.");
                }

                AppendEntry(block, key, entry);
                hashes.Add(BloomFilter.Hash(key));
                if (lastKey.Length < key.Length)
                {
                    lastKey = new byte[Math.Max(key.Length, lastKey.Length * 2)];
                }

                key.CopyTo(lastKey);
                lastKeyLength = key.Length;
                count++;
                if (block.Length >= options.BlockSize)
                {
                    FlushBlock(file, block, index, lastKey.AsSpan(0, lastKeyLength), options.Compress, ref sealedBlock);
                }
            }

            if (block.Length > 0)
            {
                FlushBlock(file, block, index, lastKey.AsSpan(0, lastKeyLength), options.Compress, ref sealedBlock);
            }

            var (indexOffset, indexSize) = WriteBlock(file, Contents(index), options.Compress, ref sealedBlock);
            var (bloomOffset, bloomSize) = WriteBlock(file, BloomFilter.Build(hashes, options.BloomBitsPerKey), compress: false, ref sealedBlock);
            file.Write(new TableFooter(indexOffset, indexSize, bloomOffset, bloomSize, count).Encode());
            files.Sync(file);
            size = file.Position;
        }

        files.Move(temporary, path);
        files.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new TableInfo(size, count);
    }

    private static void AppendEntry(MemoryStream block, ReadOnlySpan<byte> key, EntryInPlace entry)
    {
        Varint.Write(block, (ulong)key.Length);
        block.WriteByte(entry.Value.IsTombstone ? TableFormat.TombstoneFlag : (byte)0);
        if (!entry.Value.IsTombstone)
        {
            Varint.Write(block, (ulong)entry.Value.Length);
        }

        block.Write(key);
        if (!entry.Value.IsTombstone)
        {
            block.Write(entry.Value.Span);
        }
    }

    private static void FlushBlock(Stream file, MemoryStream block, MemoryStream index, ReadOnlySpan<byte> lastKey, bool compress, ref byte[] sealedBlock)
    {
        var (offset, size) = WriteBlock(file, Contents(block), compress, ref sealedBlock);
        Varint.Write(index, (ulong)lastKey.Length);
        index.Write(lastKey);
        Varint.Write(index, (ulong)offset);
        Varint.Write(index, (ulong)size);
        block.SetLength(0);
    }

    /// <summary>Seals <paramref name="raw"/> into <paramref name="sealedBlock"/> (grown when too small, then reused) and appends it.</summary>
    private static (long Offset, int Size) WriteBlock(Stream file, ReadOnlySpan<byte> raw, bool compress, ref byte[] sealedBlock)
    {
        var needed = BlockCodec.MaxSealedLength(raw.Length);
        if (sealedBlock.Length < needed)
        {
            sealedBlock = new byte[needed];
        }

        var offset = file.Position;
        var size = BlockCodec.Seal(raw, compress, sealedBlock);
        file.Write(sealedBlock, 0, size);
        return (offset, size);
    }

    private static ReadOnlySpan<byte> Contents(MemoryStream stream) => stream.GetBuffer().AsSpan(0, (int)stream.Length);
}
