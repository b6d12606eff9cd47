// The memtable's skip-list nodes as entries of large arrays instead of one object each. A node is an index: its
// key's prefix and hash, its value's location and its next node at every level live in one struct without
// references, in segments of 4,096 (on the large object heap), and its key array in a parallel segment of
// references. Index 0 is the list's head, which is never a next node, so 0 in a link or an index slot means none.
//
// Why: as objects, nodes survive young collections (a memtable lives for seconds to minutes), so the garbage
// collector copies each twice before a gen2 collection frees it; and every insert stores a reference to a young node
// into one or two old ones at random places (its predecessors, the hash index), each a card the next young
// collection must scan. A struct without references is neither traced nor copied, and a link that is an int marks
// no card. What is left per key is the key's own array, stored in arrival order, so its card marks are dense.
//
// Concurrency (see MemTable): one writer, any number of readers. The writer fills a node's fields and key before
// any link or index slot names it, publishes links and values with release stores, and grows the segment tables by
// copying them and publishing the copies before it hands out an index in a new segment; readers load links and
// values with acquire loads, so a reader that found an index finds its segment and its fields.

using System.Runtime.CompilerServices;

namespace GrainKV.Storage.Memory;

/// <summary>Skip-list nodes addressed by index; index 0 is the head.</summary>
internal sealed class MemTableNodes
{
    /// <summary>Levels of the skip list. With a branching factor of 4, twelve levels stay logarithmic up to about 4^12
    /// (16 million) keys, far more than a memtable holds before it is flushed.</summary>
    public const int MaxHeight = 12;

    /// <summary>The head's index, and "no node" in a link.</summary>
    public const int None = 0;

    private const int SegmentBits = 12;
    private const int SegmentMask = (1 << SegmentBits) - 1;

    private Node[][] _nodes = new Node[1][];
    private byte[][][] _keys = new byte[1][][];
    private int _count;

    public MemTableNodes()
    {
        Add([], default, 0, ValueArena.Tombstone); // the head: never compared, never indexed
    }

    /// <summary>Writer only: a new node, linked to nothing yet, for <paramref name="key"/> (kept, not copied).</summary>
    public int Add(byte[] key, KeyPrefix prefix, ulong hash, long value)
    {
        var index = _count;
        var segment = index >> SegmentBits;
        if (segment == _nodes.Length)
        {
            Grow();
        }

        _nodes[segment] ??= new Node[1 << SegmentBits];
        _keys[segment] ??= new byte[1 << SegmentBits][];
        ref var node = ref _nodes[segment][index & SegmentMask];
        node.Prefix = prefix;
        node.Hash = hash;
        node.Value = value;
        _keys[segment][index & SegmentMask] = key;
        _count = index + 1;
        return index;
    }

    /// <summary>The key of node <paramref name="index"/>.</summary>
    public byte[] KeyOf(int index) => Volatile.Read(ref _keys)[index >> SegmentBits][index & SegmentMask];

    /// <summary>The hash of node <paramref name="index"/>'s key.</summary>
    public ulong HashOf(int index) => NodeAt(index).Hash;

    /// <summary>The location of node <paramref name="index"/>'s latest value in the memtable's <see cref="ValueArena"/>
    /// (or <see cref="ValueArena.Tombstone"/>), by acquire load.</summary>
    public long ValueOf(int index) => Volatile.Read(ref NodeAt(index).Value);

    /// <summary>Writer only: replaces node <paramref name="index"/>'s value by release store.</summary>
    public void SetValue(int index, long value) => Volatile.Write(ref NodeAt(index).Value, value);

    /// <summary>The next node after <paramref name="index"/> at <paramref name="level"/>, by acquire load.</summary>
    public int NextAt(int index, int level) => Volatile.Read(ref NodeAt(index).Links[level]);

    /// <summary>Writer only: links <paramref name="next"/> at <paramref name="level"/> while node <paramref name="index"/> is
    /// not reachable yet.</summary>
    public void SetNextBeforePublishing(int index, int level, int next) => NodeAt(index).Links[level] = next;

    /// <summary>Writer only: makes <paramref name="next"/> reachable after node <paramref name="index"/> at
    /// <paramref name="level"/>, by release store.</summary>
    public void PublishNext(int index, int level, int next) => Volatile.Write(ref NodeAt(index).Links[level], next);

    /// <summary>Whether node <paramref name="index"/>'s key sorts before <paramref name="key"/>, whose prefix is
    /// <paramref name="prefix"/>.</summary>
    /// <remarks>The prefixes are compared before the key's array is touched: the array is a second cache miss per step
    /// of a skip-list search, needed only when the prefixes are equal.</remarks>
    public bool IsBefore(int index, ReadOnlySpan<byte> key, KeyPrefix prefix)
    {
        var order = NodeAt(index).Prefix.CompareTo(prefix);
        return order != 0 ? order < 0 : KeyOf(index).AsSpan().SequenceCompareTo(key) < 0;
    }

    /// <summary>Whether node <paramref name="index"/> holds <paramref name="key"/>, whose prefix is <paramref name="prefix"/>.</summary>
    public bool Holds(int index, ReadOnlySpan<byte> key, KeyPrefix prefix) =>
        NodeAt(index).Prefix == prefix && KeyOf(index).AsSpan().SequenceEqual(key);

    private ref Node NodeAt(int index) => ref Volatile.Read(ref _nodes)[index >> SegmentBits][index & SegmentMask];

    /// <summary>Writer only: doubles both segment tables and publishes the copies (the segments themselves are shared).</summary>
    private void Grow()
    {
        var nodes = new Node[_nodes.Length * 2][];
        var keys = new byte[_keys.Length * 2][][];
        Array.Copy(_nodes, nodes, _nodes.Length);
        Array.Copy(_keys, keys, _keys.Length);
        Volatile.Write(ref _keys, keys);
        Volatile.Write(ref _nodes, nodes);
    }

    /// <summary>One node, 80 bytes: what a search step reads (the prefix, then a link) side by side at its start. Elements are
    /// not aligned to cache lines, so a step may touch two.</summary>
    private struct Node
    {
        public KeyPrefix Prefix;
        public Links Links;
        public ulong Hash;
        public long Value;
    }

    [InlineArray(MaxHeight)]
    private struct Links
    {
        private int _first;
    }
}
