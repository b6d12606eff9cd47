// A block cache with a memory budget: decompressed, checked data blocks keyed by (table id, offset),
// evicted least recently used first. Hot data stays in memory; the rest is read from the tables.

using System.Diagnostics.CodeAnalysis;

namespace GrainKV.Storage.Cache;

/// <summary>A thread-safe LRU cache of raw data blocks bounded by their total size in bytes.</summary>
public sealed class BlockCache(long capacityBytes)
{
    private readonly Dictionary<(long Table, long Offset), LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _lru = new();
    private readonly Lock _lock = new();
    private long _bytes;
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The cached block at (<paramref name="table"/>, <paramref name="offset"/>), if any; counts a hit or a miss.</summary>
    public bool TryGet(long table, long offset, [NotNullWhen(true)] out byte[]? block)
    {
        lock (_lock)
        {
            if (_map.TryGetValue((table, offset), out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                _hits++;
                block = node.Value.Block;
                return true;
            }
        }

        Interlocked.Increment(ref _misses);
        block = null;
        return false;
    }

    /// <summary>Caches a block just loaded (unless it is larger than a quarter of the capacity), evicting the
    /// least recently used blocks past the capacity.</summary>
    public void Add(long table, long offset, byte[] block)
    {
        if (capacityBytes <= 0 || block.Length > capacityBytes / 4)
        {
            return;
        }

        lock (_lock)
        {
            if (!_map.ContainsKey((table, offset)))
            {
                _map[(table, offset)] = _lru.AddFirst(new Entry(table, offset, block));
                _bytes += block.Length;
                while (_bytes > capacityBytes && _lru.Last is { } last)
                {
                    _lru.RemoveLast();
                    _map.Remove((last.Value.Table, last.Value.Offset));
                    _bytes -= last.Value.Block.Length;
                }
            }
        }
    }

    /// <summary>Drops every cached block of <paramref name="table"/> (a table that was deleted).</summary>
    public void RemoveTable(long table)
    {
        lock (_lock)
        {
            for (var node = _lru.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Table == table)
                {
                    _lru.Remove(node);
                    _map.Remove((table, node.Value.Offset));
                    _bytes -= node.Value.Block.Length;
                }

                node = next;
            }
        }
    }

    private sealed record Entry(long Table, long Offset, byte[] Block);
}
