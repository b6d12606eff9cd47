// The in-memory write buffer: the newest version of each key written since the last flush, in key order.
// A tombstone (null value) shadows older versions of the key in tables below it. A skip list (after LevelDB's
// db/skiplist.h) gives O(log n) updates, lookups and range seeks; lookups take no lock.
//
// Concurrency contract: one writer at a time, any number of readers.
// - Writers: the engine calls Set only under its write lock, and replays the log on one thread before it
//   serves anything, so Set never races another Set. (Set also holds the snapshot lock below, so a second
//   writer would be serialized rather than corrupt the list; the contract keeps that lock uncontended.)
// - TryGet runs without any lock. A node is fully built (key, value, its own next pointers) before the writer
//   publishes it with a release store into its predecessors' next pointers, lowest level first; readers load
//   every next pointer and value with acquire loads, so a reader that reaches a node sees it complete. A key
//   that is already present gets its new value (or tombstone) by a release store into the node's value
//   field; a reader sees the old or the new value, never anything else. Nodes are never removed.
// - Snapshot holds the snapshot lock while it copies, and Set takes the same lock, so a copy is exactly the
//   map at one instant. The lock is uncontended for Set unless a copy is running.

namespace GrainKV.Storage.Memory;

/// <summary>A sorted map from key to latest value or tombstone. <see cref="Set"/> calls must not overlap (the
/// engine serializes them); <see cref="TryGet(ReadOnlySpan{byte}, out byte[])"/>, <see cref="Snapshot"/>,
/// <see cref="Count"/> and <see cref="ApproximateBytes"/> are safe from any thread at any time.</summary>
public sealed class MemTable
{
    /// <summary>Levels of the skip list. With a branching factor of 4, twelve levels stay logarithmic up to
    /// about 4^12 (16 million) keys, far more than a memtable holds before it is flushed.</summary>
    private const int MaxHeight = 12;

    private readonly Node _head = new([], null, MaxHeight);
    private readonly Node[] _splice = new Node[MaxHeight];
    private readonly Lock _snapshotLock = new();
    private int _height = 1;
    private int _count;
    private long _approximateBytes;
    private uint _random = 0x9E3779B9;

    /// <summary>Approximate memory held by keys and values.</summary>
    public long ApproximateBytes => Interlocked.Read(ref _approximateBytes);

    /// <summary>Number of keys, tombstones included.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records the latest version of <paramref name="key"/>: a value, or a tombstone when null. The
    /// memtable keeps both arrays; the caller must not change them afterwards.</summary>
    public void Set(byte[] key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_snapshotLock)
        {
            var found = FindGreaterOrEqual(key, _splice);
            if (found is not null && found.Key.AsSpan().SequenceEqual(key))
            {
                Volatile.Write(ref found.Value, value);
            }
            else
            {
                Insert(key, value);
            }
        }

        Interlocked.Add(ref _approximateBytes, key.Length + (value?.Length ?? 0) + 64);
    }

    /// <summary>Looks <paramref name="key"/> up. Returns false if the memtable knows nothing of it;
    /// true with a null <paramref name="value"/> if the key is deleted here.</summary>
    public bool TryGet(byte[] key, out byte[]? value) => TryGet(key.AsSpan(), out value);

    /// <summary>Looks <paramref name="key"/> up without a lock and without allocating. Returns false if the
    /// memtable knows nothing of it; true with a null <paramref name="value"/> if the key is deleted here.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value)
    {
        var found = FindGreaterOrEqual(key, null);
        if (found is not null && found.Key.AsSpan().SequenceEqual(key))
        {
            value = Volatile.Read(ref found.Value);
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>A point-in-time copy of the entries in [<paramref name="from"/>, <paramref name="to"/>), tombstones
    /// included; an empty <paramref name="to"/> means no upper bound.</summary>
    public List<KeyValuePair<byte[], byte[]?>> Snapshot(byte[] from, byte[] to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var result = new List<KeyValuePair<byte[], byte[]?>>();
        lock (_snapshotLock)
        {
            for (var node = FindGreaterOrEqual(from, null); node is not null; node = node.NextAt(0))
            {
                if (to.Length > 0 && node.Key.AsSpan().SequenceCompareTo(to) >= 0)
                {
                    break;
                }

                result.Add(new KeyValuePair<byte[], byte[]?>(node.Key, Volatile.Read(ref node.Value)));
            }
        }

        return result;
    }

    /// <summary>The first node whose key is ≥ <paramref name="key"/>, or null. With <paramref name="splice"/>
    /// (writer only), also records at each level the last node whose key is &lt; <paramref name="key"/>.</summary>
    private Node? FindGreaterOrEqual(ReadOnlySpan<byte> key, Node[]? splice)
    {
        var node = _head;
        var level = Volatile.Read(ref _height) - 1;
        Node? notBefore = null; // the last node found ≥ key: no need to compare it again one level down
        while (true)
        {
            var next = node.NextAt(level);
            if (next is not null && next != notBefore && next.Key.AsSpan().SequenceCompareTo(key) < 0)
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

    /// <summary>Writer only, after <see cref="FindGreaterOrEqual"/> filled <see cref="_splice"/> for the key.</summary>
    private void Insert(byte[] key, byte[]? value)
    {
        var height = RandomHeight();
        var currentHeight = _height;
        if (height > currentHeight)
        {
            for (var level = currentHeight; level < height; level++)
            {
                _splice[level] = _head;
            }

            // A reader that sees the new height before the node finds null at the head's new levels and
            // simply drops to a lower level; it never needs the node to be linked yet.
            Volatile.Write(ref _height, height);
        }

        var node = new Node(key, value, height);
        for (var level = 0; level < height; level++)
        {
            node.Next[level] = _splice[level].NextAt(level); // not yet visible to anyone: a plain store
            Volatile.Write(ref _splice[level].Next[level], node);
        }

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

    private sealed class Node(byte[] key, byte[]? value, int height)
    {
        public readonly byte[] Key = key;

        /// <summary>The latest value, null for a tombstone; replaced in place with a release store.</summary>
        public byte[]? Value = value;

        /// <summary>The next node at each level this node takes part in; each slot published with a release store.</summary>
        public readonly Node?[] Next = new Node?[height];

        public Node? NextAt(int level) => Volatile.Read(ref Next[level]);
    }
}
