// Reads an SSTable: footer, index and bloom filter are checked and kept in memory at open; data blocks
// are read on demand with positional reads (safe for concurrent readers) through the block cache.
// Reference-counted: the opener holds the first reference, each TableSet containing the table one more;
// the last release closes the file, and deletes it if the table was marked obsolete by a compaction.

using System.Buffers;
using GrainKV.Shared;
using GrainKV.Storage.Cache;
using GrainKV.Storage.Memory;
using Microsoft.Win32.SafeHandles;

namespace GrainKV.Storage.Table;

/// <summary>An open, immutable SSTable.</summary>
public sealed class TableReader : IDisposable
{
    /// <summary>Bytes <see cref="Stream"/> reads at a time (a block larger than this is read alone).</summary>
    private const int SequentialReadSize = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly string _path;
    private readonly BlockCache _cache;
    private readonly BloomFilter _bloom;
    /// <summary>The index block as read: each block's last key is a slice of it (<see cref="_lastKeyStarts"/>,
    /// <see cref="_lastKeyLengths"/>), so a table's index is a few arrays, not one array per block.</summary>
    private readonly byte[] _index;
    private readonly int[] _lastKeyStarts;
    private readonly int[] _lastKeyLengths;

    /// <summary>The first 16 bytes of each block's last key, side by side: a block search compares these and reads a
    /// key from the index block (a cache miss each) only where two prefixes are equal.</summary>
    private readonly KeyPrefix[] _lastKeyPrefixes;
    private readonly long[] _offsets;
    private readonly int[] _sizes;
    private int _references = 1;
    private volatile bool _deleteWhenReleased;

    private TableReader(long id, string path, SafeFileHandle file, long size, long entries, BlockCache cache, BloomFilter bloom, ParsedIndex index)
    {
        Id = id;
        _path = path;
        _file = file;
        FileSize = size;
        EntryCount = entries;
        _cache = cache;
        _bloom = bloom;
        _index = index.Raw;
        _lastKeyStarts = index.KeyStarts;
        _lastKeyLengths = index.KeyLengths;
        _lastKeyPrefixes = new KeyPrefix[index.KeyStarts.Length];
        for (var i = 0; i < _lastKeyPrefixes.Length; i++)
        {
            _lastKeyPrefixes[i] = KeyPrefix.Of(LastKey(i));
        }

        _offsets = index.Offsets;
        _sizes = index.Sizes;
    }

    public long Id { get; }

    public long FileSize { get; }

    public long EntryCount { get; }

    /// <summary>Opens and checks a table. Throws <see cref="CorruptionException"/> naming the file if it is damaged.</summary>
    public static TableReader Open(string path, long id, BlockCache cache)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            var size = RandomAccess.GetLength(file);
            if (size < TableFooter.Size)
            {
                throw new CorruptionException(path, $"file of {size} bytes is shorter than a table footer");
            }

            var footerBytes = new byte[TableFooter.Size];
            RandomAccess.Read(file, footerBytes, size - TableFooter.Size);
            var footer = TableFooter.Decode(footerBytes, size, path);
            var bloom = BloomFilter.Load(ReadBlock(file, path, footer.BloomOffset, footer.BloomSize), path);
            var index = ParseIndex(ReadBlock(file, path, footer.IndexOffset, footer.IndexSize), path, footer.IndexOffset);
            return new TableReader(id, path, file, size, footer.EntryCount, cache, bloom, index);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Looks <paramref name="key"/> up: false if the table has no entry for it (bloom-negative
    /// lookups counted in <paramref name="bloomNegatives"/>); true with the value in place (a slice of its raw block,
    /// which never changes), or a tombstone.</summary>
    internal bool TryLocate(ReadOnlySpan<byte> key, ulong bloomHash, ref long bloomNegatives, out StoredValue value)
    {
        value = StoredValue.Tombstone;
        if (!_bloom.MayContain(bloomHash))
        {
            Interlocked.Increment(ref bloomNegatives);
            return false;
        }

        var block = FindBlock(key);
        if (block < 0)
        {
            return false;
        }

        return BlockReader.TryFind(RawBlock(block), key, _path, out value);
    }

    /// <summary>Entries with keys in [<paramref name="from"/>, <paramref name="to"/>) (empty <paramref name="to"/> = unbounded),
    /// tombstones included, in place: slices of raw blocks, which never change.</summary>
    internal IEnumerable<EntryInPlace> Scan(byte[] from, byte[] to)
    {
        // No block ends at or after `from`: nothing to read (not "start at block 0").
        for (var block = FindBlock(from); block >= 0 && block < _offsets.Length; block++)
        {
            foreach (var entry in BlockReader.Entries(RawBlock(block), _path))
            {
                if (entry.Key.Span.SequenceCompareTo(from) < 0)
                {
                    continue;
                }

                if (to.Length > 0 && entry.Key.Span.SequenceCompareTo(to) >= 0)
                {
                    yield break;
                }

                yield return entry;
            }
        }
    }

    /// <summary>Every entry, in key order, copied (see <see cref="Stream"/>).</summary>
    public IEnumerable<TableEntry> All() => Stream().Select(e => e.ToTableEntry());

    /// <summary>Every entry, in key order, read front to back in large reads that bypass the block cache: a
    /// compaction reads each block once, and must not evict the blocks that point reads keep hot. Entries are in
    /// place in two buffers this reader reuses (the stored blocks, and one decompressed block), so each is valid only
    /// until the next is asked for: a compaction allocates nothing per entry or per block.</summary>
    internal IEnumerable<EntryInPlace> Stream()
    {
        var chunk = Array.Empty<byte>();
        var raw = Array.Empty<byte>();
        for (var first = 0; first < _offsets.Length;)
        {
            // Blocks lie back to back: read as many adjacent ones as fit in one chunk (at least one), then open each.
            var last = first;
            while (last + 1 < _offsets.Length
                && _offsets[last + 1] == _offsets[last] + _sizes[last]
                && _offsets[last + 1] + _sizes[last + 1] - _offsets[first] <= SequentialReadSize)
            {
                last++;
            }

            var length = checked((int)(_offsets[last] + _sizes[last] - _offsets[first]));
            if (chunk.Length < length)
            {
                chunk = GC.AllocateUninitializedArray<byte>(length);
            }

            var read = RandomAccess.Read(_file, chunk.AsSpan(0, length), _offsets[first]);
            if (read != length)
            {
                throw new CorruptionException(_path, $"blocks at {_offsets[first]} are truncated ({read} of {length} bytes)");
            }

            for (var block = first; block <= last; block++)
            {
                var start = (int)(_offsets[block] - _offsets[first]);
                var opened = BlockCodec.OpenInPlace(new ArraySegment<byte>(chunk, start, _sizes[block]), ref raw, _path, _offsets[block]);
                foreach (var entry in BlockReader.Entries(opened, _path))
                {
                    yield return entry;
                }
            }

            first = last + 1;
        }
    }

    /// <summary>Index of the first block whose last key is at or after <paramref name="key"/>, or -1 if none.</summary>
    private int FindBlock(ReadOnlySpan<byte> key)
    {
        var prefix = KeyPrefix.Of(key);
        int lo = 0, hi = _lastKeyStarts.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (KeyPrefix.Compare(_lastKeyPrefixes[mid], LastKey(mid), prefix, key) >= 0)
            {
                found = mid;
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return found;
    }

    private byte[] RawBlock(int block)
    {
        if (_cache.TryGet(Id, _offsets[block], out var raw))
        {
            return raw;
        }

        raw = ReadBlock(_file, _path, _offsets[block], _sizes[block]);
        _cache.Add(Id, _offsets[block], raw);
        return raw;
    }

    /// <summary>Reads, checks and opens one block. The stored bytes go through a pooled buffer: the raw block is the
    /// one array a read allocates.</summary>
    private static byte[] ReadBlock(SafeFileHandle file, string path, long offset, int size)
    {
        var stored = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var read = RandomAccess.Read(file, stored.AsSpan(0, size), offset);
            if (read != size)
            {
                throw new CorruptionException(path, $"block at {offset} is truncated ({read} of {size} bytes)");
            }

            return BlockCodec.Open(stored.AsSpan(0, size), path, offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
    }

    /// <summary>The last key of block <paramref name="block"/>.</summary>
    private ReadOnlySpan<byte> LastKey(int block) => _index.AsSpan(_lastKeyStarts[block], _lastKeyLengths[block]);

    /// <summary>An index block and where its entries' parts are: per block, its last key (a slice of the block), offset and size.</summary>
    private readonly record struct ParsedIndex(byte[] Raw, int[] KeyStarts, int[] KeyLengths, long[] Offsets, int[] Sizes);

    private static ParsedIndex ParseIndex(byte[] raw, string path, long indexOffset)
    {
        var starts = new List<int>();
        var lengths = new List<int>();
        var offsets = new List<long>();
        var sizes = new List<int>();
        var position = 0;
        while (position < raw.Length)
        {
            if (!Varint.TryRead(raw, ref position, out var keyLength) || keyLength > (ulong)(raw.Length - position))
            {
                throw new CorruptionException(path, $"malformed index block at {indexOffset}");
            }

            starts.Add(position);
            lengths.Add((int)keyLength);
            position += (int)keyLength;
            if (!Varint.TryRead(raw, ref position, out var offset) || !Varint.TryRead(raw, ref position, out var size) || offset + size > (ulong)indexOffset)
            {
                throw new CorruptionException(path, $"malformed index block at {indexOffset}");
            }

            offsets.Add((long)offset);
            sizes.Add((int)size);
        }

        return new ParsedIndex(raw, [.. starts], [.. lengths], [.. offsets], [.. sizes]);
    }

    /// <summary>Takes a reference (the table must still be referenced by the caller's set or opener).</summary>
    public void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>Deletes the file when the last reference is released (the table left the manifest).</summary>
    public void MarkObsolete() => _deleteWhenReleased = true;

    /// <summary>Drops a reference; the last one closes the file (and deletes an obsolete table's file).</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _file.Dispose();
            if (_deleteWhenReleased)
            {
                File.Delete(_path);
                _cache.RemoveTable(Id);
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException($"Table '{_path}' was released more often than referenced.");
        }
    }

    /// <summary>Drops the caller's reference (see <see cref="Release"/>).</summary>
    public void Dispose() => Release();
}
