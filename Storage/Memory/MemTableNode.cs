// One entry of the memtable's skip list: a key, its latest value or tombstone, and the entry's next pointer at
// each level it takes part in. Every field a reader follows is read by acquire load and written by release
// store once the node is reachable (see MemTable for the protocol).

using System.Runtime.CompilerServices;

namespace GrainKV.Storage.Memory;

/// <summary>A skip-list node. The lowest <see cref="InlineLinks"/> next pointers live in the node itself (3 nodes
/// in 4 have height 1, 255 in 256 at most 4), so walking the list reads one object per step; taller nodes keep
/// the rest in an array.</summary>
internal sealed class MemTableNode
{
    public const int InlineLinks = 4;

    private readonly MemTableNode?[]? _upperLinks;
    private Links _links;
    private long _value;

    public MemTableNode(byte[] key, long value, int height, ulong hash)
    {
        Key = key;
        Hash = hash;
        Prefix = KeyPrefix.Of(key);
        _value = value;
        if (height > InlineLinks)
        {
            _upperLinks = new MemTableNode?[height - InlineLinks];
        }
    }

    public byte[] Key { get; }

    /// <summary>The key's first 16 bytes: unequal prefixes order two keys without reading either key's array.</summary>
    public KeyPrefix Prefix { get; }

    /// <summary>The key's hash in the index, kept so that growing the index and probing past other keys never
    /// read key arrays.</summary>
    public ulong Hash { get; }

    /// <summary>The location of the latest value in the memtable's <see cref="ValueArena"/> (or
    /// <see cref="ValueArena.Tombstone"/>); acquire load, and release store for the writer's in-place replacement.</summary>
    public long Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }

    /// <summary>The next node at <paramref name="level"/>, by acquire load.</summary>
    public MemTableNode? NextAt(int level) => Volatile.Read(ref Link(level));

    /// <summary>Links <paramref name="next"/> at <paramref name="level"/> while this node is not reachable yet.</summary>
    public void SetNextBeforePublishing(int level, MemTableNode? next) => Link(level) = next;

    /// <summary>Makes <paramref name="next"/> reachable at <paramref name="level"/>, by release store.</summary>
    public void PublishNext(int level, MemTableNode next) => Volatile.Write(ref Link(level), next);

    /// <summary>Whether this node's key sorts before <paramref name="key"/>, whose prefix is <paramref name="prefix"/>.</summary>
    /// <remarks>The prefixes are compared before the key's array is touched: passing <see cref="Key"/> as a span to a
    /// comparison loads the array's length, a second cache miss per step of a skip-list search (measured: the
    /// search's hot loads were the node's prefix and then that length).</remarks>
    public bool IsBefore(ReadOnlySpan<byte> key, KeyPrefix prefix)
    {
        var order = Prefix.CompareTo(prefix);
        return order != 0 ? order < 0 : Key.AsSpan().SequenceCompareTo(key) < 0;
    }

    /// <summary>Whether this node holds <paramref name="key"/>, whose prefix is <paramref name="prefix"/>.</summary>
    public bool Holds(ReadOnlySpan<byte> key, KeyPrefix prefix) => Prefix == prefix && Key.AsSpan().SequenceEqual(key);

    private ref MemTableNode? Link(int level) =>
        ref level < InlineLinks ? ref _links[level] : ref _upperLinks![level - InlineLinks];

    [InlineArray(InlineLinks)]
    private struct Links
    {
        private MemTableNode? _first;
    }
}
