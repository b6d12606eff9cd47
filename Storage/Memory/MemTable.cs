// The in-memory write buffer: the newest version of each key written since the last flush, in key order.
// A tombstone (null value) shadows older versions of the key in tables below it. A skip list (after LevelDB's
// db/skiplist.h, branching factor 4) keeps the keys in order for range copies and flushes; a hash index
// beside it (MemTableHashIndex) answers point lookups in a slot or two. Neither takes a lock to read. Values
// live in large chunks (ValueArena) and nodes in large arrays (MemTableNodes), which the garbage collector does
// not copy, not in one object each.
//
// Concurrency contract: one writer at a time, any number of readers.
// - Writers: the engine calls Set only under its write lock, and replays the log on one thread before it
//   serves anything, so Set never races another Set. (Set also holds the snapshot lock below, so a second
//   writer would be serialized rather than corrupt the list; the contract keeps that lock uncontended.)
// - TryGet runs without any lock. A node is fully built (key, value, its own next pointers) before the writer
//   publishes it with release stores into its predecessors' next pointers, lowest level first, and then into
//   the hash index; readers load every pointer and value with acquire loads, so a reader that reaches a node
//   sees it complete. A key that is already present gets its new value (or tombstone) by a release store
//   into its node; a reader sees the old or the new value, never anything else. Nodes are never removed.
// - Snapshot holds the snapshot lock while it lists entries, and Set takes the same lock, so a snapshot is exactly
//   the map at one instant. It lists keys and values in place (neither ever changes once written), copying no
//   bytes. The lock is uncontended for Set unless a snapshot is running.
//
// Lifetime: the engine's table sets hold references to the memtables of their states (see TableSet). When the last
// goes, nothing reads the memtable any more and its value chunks go back to the engine's pool (ValueArena.Recycle);
// any later read or write of it fails rather than see another memtable's bytes. A memtable that is never referenced
// (tests, tools) is simply left to the garbage collector.

namespace GrainKV.Storage.Memory;

/// <summary>A sorted map from key to latest value or tombstone. <see cref="Set"/> calls must not overlap (the
/// engine serializes them); <see cref="TryGet(ReadOnlySpan{byte}, out byte[])"/>, <see cref="Snapshot"/>,
/// <see cref="Count"/> and <see cref="ApproximateBytes"/> are safe from any thread at any time.</summary>
public sealed class MemTable
{
    private const int MaxHeight = MemTableNodes.MaxHeight;
    private const int Head = MemTableNodes.None;

    private readonly MemTableNodes _nodes = new();
    private readonly ValueArena _values;
    private readonly int[] _splice = new int[MaxHeight];
    private readonly MemTableHashIndex _index;
    private readonly Lock _snapshotLock = new();
    private int _height = 1;
    private int _count;
    private long _approximateBytes;
    private uint _random = 0x9E3779B9;
    private int _references;

    public MemTable()
        : this(null)
    {
    }

    /// <summary>A memtable whose value chunks come from <paramref name="pool"/> and go back to it when it is released.</summary>
    internal MemTable(ValueChunkPool? pool)
    {
        _values = new ValueArena(pool);
        _index = new MemTableHashIndex(_nodes);
    }

    /// <summary>Approximate memory held by keys and values.</summary>
    public long ApproximateBytes => Interlocked.Read(ref _approximateBytes);

    /// <summary>Number of keys, tombstones included.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records the latest version of <paramref name="key"/>: a value, or a tombstone when null. The
    /// memtable keeps the key array (the caller must not change it afterwards) and copies the value into its
    /// <see cref="ValueArena"/>.</summary>
    public void Set(byte[] key, byte[]? value) => Store(key, value, tombstone: value is null);

    /// <summary>Records <paramref name="value"/> as the latest version of <paramref name="key"/>, copying it into the
    /// <see cref="ValueArena"/> (the write path's form: no array of the value is made).</summary>
    public void SetValue(byte[] key, ReadOnlySpan<byte> value) => Store(key, value, tombstone: false);

    private void Store(byte[] key, ReadOnlySpan<byte> value, bool tombstone)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = MemTableHashIndex.Hash(key);
        var prefix = KeyPrefix.Of(key);
        lock (_snapshotLock)
        {
            var location = tombstone ? ValueArena.Tombstone : _values.Append(value);
            var existing = _index.Find(key, hash, prefix);
            if (existing != MemTableNodes.None)
            {
                _nodes.SetValue(existing, location);
            }
            else
            {
                Insert(key, location, hash, prefix);
            }
        }

        Interlocked.Add(ref _approximateBytes, key.Length + value.Length + 64);
    }

    /// <summary>Looks <paramref name="key"/> up. Returns false if the memtable knows nothing of it;
    /// true with a null <paramref name="value"/> if the key is deleted here.</summary>
    public bool TryGet(byte[] key, out byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryGet(key.AsSpan(), out value);
    }

    /// <summary>Looks <paramref name="key"/> up without a lock; the value returned is a copy, the lookup's only
    /// allocation. Returns false if the memtable knows nothing of it; true with a null <paramref name="value"/> if
    /// the key is deleted here.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value)
    {
        var found = TryLocate(key, out var stored);
        value = found ? stored.ToArray() : null;
        return found;
    }

    /// <summary>Like <see cref="TryGet(ReadOnlySpan{byte}, out byte[])"/>, with the value's bytes in place instead of a copy
    /// (they never change); no allocation at all.</summary>
    internal bool TryLocate(ReadOnlySpan<byte> key, out StoredValue value)
    {
        var node = _index.Find(key, MemTableHashIndex.Hash(key), KeyPrefix.Of(key));
        if (node != MemTableNodes.None)
        {
            value = _values.At(_nodes.ValueOf(node));
            return true;
        }

        value = StoredValue.Tombstone;
        return false;
    }

    /// <summary>The entries in [<paramref name="from"/>, <paramref name="to"/>) at one instant, tombstones included, in
    /// place (keys and values never change); an empty <paramref name="to"/> means no upper bound.</summary>
    internal List<EntryInPlace> Snapshot(byte[] from, byte[] to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var result = new List<EntryInPlace>();
        lock (_snapshotLock)
        {
            for (var node = FindGreaterOrEqual(from, KeyPrefix.Of(from), null); node != MemTableNodes.None; node = _nodes.NextAt(node, 0))
            {
                var key = _nodes.KeyOf(node);
                if (to.Length > 0 && key.AsSpan().SequenceCompareTo(to) >= 0)
                {
                    break;
                }

                result.Add(new EntryInPlace(key, _values.At(_nodes.ValueOf(node))));
            }
        }

        return result;
    }

    /// <summary>Takes a reference (a table set's). The memtable must not have been released by everyone.</summary>
    internal void AddReference()
    {
        if (_values.IsRecycled)
        {
            throw new InvalidOperationException("A memtable was referenced again after its last reference went.");
        }

        Interlocked.Increment(ref _references);
    }

    /// <summary>Drops a reference; the last one recycles the memtable's value chunks.</summary>
    internal void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _values.Recycle();
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A memtable was released more often than referenced.");
        }
    }

    /// <summary>Every entry in key order, tombstones included, in place. It takes no lock, so it is meant for a memtable
    /// no writer touches any more (a frozen one being flushed): there it is exactly the memtable's contents, and a
    /// flush copies each value once, straight from its chunk into the table's block.</summary>
    internal IEnumerable<EntryInPlace> Entries()
    {
        for (var node = _nodes.NextAt(Head, 0); node != MemTableNodes.None; node = _nodes.NextAt(node, 0))
        {
            yield return new EntryInPlace(_nodes.KeyOf(node), _values.At(_nodes.ValueOf(node)));
        }
    }

    /// <summary>The first node whose key is ≥ <paramref name="key"/>, or none. With <paramref name="splice"/>
    /// (writer only), also records at each level the last node whose key is &lt; <paramref name="key"/>.</summary>
    private int FindGreaterOrEqual(ReadOnlySpan<byte> key, KeyPrefix prefix, int[]? splice)
    {
        var node = Head;
        var level = Volatile.Read(ref _height) - 1;
        var notBefore = -1; // the last node found ≥ key: no need to compare it again one level down
        while (true)
        {
            var next = _nodes.NextAt(node, level);
            if (next != MemTableNodes.None && next != notBefore && _nodes.IsBefore(next, key, prefix))
            {
                node = next;
                continue;
            }

            if (splice is not null)
            {
                splice[level] = node;
            }

            if (level == 0)
            {
                return next;
            }

            notBefore = next;
            level--;
        }
    }

    /// <summary>Writer only: links a new node for <paramref name="key"/> (not present) into the list, then the index.</summary>
    private void Insert(byte[] key, long value, ulong hash, KeyPrefix prefix)
    {
        FindGreaterOrEqual(key, prefix, _splice);
        var height = RandomHeight();
        var currentHeight = _height;
        if (height > currentHeight)
        {
            for (var level = currentHeight; level < height; level++)
            {
                _splice[level] = Head;
            }

            // A reader that sees the new height before the node finds none at the head's new levels and
            // simply drops to a lower level; it never needs the node to be linked yet.
            Volatile.Write(ref _height, height);
        }

        var node = _nodes.Add(key, prefix, hash, value);
        for (var level = 0; level < height; level++)
        {
            _nodes.SetNextBeforePublishing(node, level, _nodes.NextAt(_splice[level], level));
            _nodes.PublishNext(_splice[level], level, node);
        }

        _index.Add(node);
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>1 with probability 3/4, 2 with 3/16, ... (branching factor 4), at most <see cref="MaxHeight"/>.</summary>
    private int RandomHeight()
    {
        var height = 1;
        while (height < MaxHeight && (NextRandom() & 3) == 0)
        {
            height++;
        }

        return height;
    }

    /// <summary>Xorshift32: cheap, and only the writer draws from it.</summary>
    private uint NextRandom()
    {
        var x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        return x;
    }
}
