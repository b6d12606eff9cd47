// The memtable's point-lookup index: key → skip-list node in an open-addressing hash table, so that a lookup
// (hit or miss) reads a slot or two instead of walking ~log n list nodes. Every engine read asks each memtable
// first, and most of those asks miss, so this is the engine's hottest path. A slot holds a node's index
// (MemTableNodes), 0 when empty: the table is an int array the garbage collector never scans.
//
// One writer, any number of readers, no locks: the writer fills a slot with a release store of a fully built
// node's index, and never changes a filled slot. At half full it builds a table twice the size beside the old one
// and publishes it with a release store; a reader that loaded the old table finishes its probe there (the old
// table is never written again, and still has empty slots to end a probe). A write that completed before a
// lookup began is in the table the lookup loads.

using System.IO.Hashing;

namespace GrainKV.Storage.Memory;

/// <summary>Key → node index for point lookups; linear probing, power-of-two size, at most half full.</summary>
internal sealed class MemTableHashIndex(MemTableNodes nodes)
{
    private const int InitialSlots = 1024;

    private int[] _slots = new int[InitialSlots];
    private int _count;

    public static ulong Hash(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key);

    /// <summary>The index of the node holding <paramref name="key"/>, or <see cref="MemTableNodes.None"/>; safe from any thread.</summary>
    public int Find(ReadOnlySpan<byte> key, ulong hash, KeyPrefix prefix)
    {
        var slots = Volatile.Read(ref _slots);
        var mask = slots.Length - 1;
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            var node = Volatile.Read(ref slots[i]);
            if (node == MemTableNodes.None || (nodes.HashOf(node) == hash && nodes.Holds(node, key, prefix)))
            {
                return node;
            }
        }
    }

    /// <summary>Writer only: indexes <paramref name="node"/> under its key's hash; the key is not in the index yet.</summary>
    public void Add(int node)
    {
        if ((_count + 1) * 2 > _slots.Length)
        {
            var larger = new int[_slots.Length * 2];
            foreach (var indexed in _slots)
            {
                if (indexed != MemTableNodes.None)
                {
                    Place(larger, indexed);
                }
            }

            Volatile.Write(ref _slots, larger);
        }

        Place(_slots, node);
        _count++;
    }

    private void Place(int[] slots, int node)
    {
        var mask = slots.Length - 1;
        var i = (int)nodes.HashOf(node) & mask;
        while (slots[i] != MemTableNodes.None)
        {
            i = (i + 1) & mask;
        }

        Volatile.Write(ref slots[i], node);
    }
}
