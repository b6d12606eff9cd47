// A block cache with a memory budget: decompressed, checked data blocks keyed by (table id, offset). Admission and
// eviction follow W-TinyLFU (Einziger, Eytan, Friedman and Manes, "TinyLFU: A Highly Efficient Cache Admission
// Policy"; Caffeine):
// - A block just loaded enters a small LRU window (1 % of the budget), so a block read again soon after its first read
//   is a hit, whatever its history.
// - A block pushed out of the window joins the main LRU region only if it was asked for more often lately than the
//   main region's least recently used block (by a FrequencySketch of every lookup, hit or miss); otherwise it is
//   dropped. While the budget has room, it joins regardless.
//
// Why admission: under a working set larger than the budget, plain LRU replaces a cached block on nearly every miss.
// Every block it admits then lives long enough to be copied by the garbage collector's young collections (measured on
// a silo's SET pass: 14–75 MB promoted per young collection, almost all of it cached blocks) only to be evicted later.
// With admission, a block read once and not again dies young, and the main region keeps the blocks that are read
// most, which is also the better hit rate under a skewed (zipfian) workload.

using System.Diagnostics.CodeAnalysis;

namespace GrainKV.Storage.Cache;

/// <summary>A thread-safe W-TinyLFU cache of raw data blocks bounded by their total size in bytes.</summary>
public sealed class BlockCache
{
    /// <summary>Share of the budget the window takes, in percent.</summary>
    private const int WindowPercent = 1;

    private readonly Dictionary<(long Table, long Offset), LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _window = new();
    private readonly LinkedList<Entry> _main = new();
    private readonly FrequencySketch _sketch;
    private readonly Lock _lock = new();
    private readonly long _capacityBytes;
    private readonly long _windowBytesLimit;
    private long _windowBytes;
    private long _mainBytes;
    private long _hits;
    private long _misses;
    private long _rejections;

    /// <param name="capacityBytes">The budget: cached blocks never hold more bytes than this together.</param>
    /// <param name="typicalBlockSize">About how large a block is; sizes the frequency sketch to the blocks the budget holds.</param>
    public BlockCache(long capacityBytes, int typicalBlockSize = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(typicalBlockSize);
        _capacityBytes = capacityBytes;
        _windowBytesLimit = capacityBytes * WindowPercent / 100;
        _sketch = new FrequencySketch((int)Math.Min(int.MaxValue, capacityBytes / typicalBlockSize));
    }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Blocks that left the window and were not admitted to the main region: asked for less often than the block
    /// they would have replaced.</summary>
    public long Rejections => Interlocked.Read(ref _rejections);

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _windowBytes + _mainBytes;
            }
        }
    }

    /// <summary>The cached block at (<paramref name="table"/>, <paramref name="offset"/>), if any; counts a hit or a miss,
    /// and the lookup in the block's frequency.</summary>
    public bool TryGet(long table, long offset, [NotNullWhen(true)] out byte[]? block)
    {
        lock (_lock)
        {
            _sketch.Increment(Hash(table, offset));
            if (_map.TryGetValue((table, offset), out var node))
            {
                var list = node.List!;
                list.Remove(node);
                list.AddFirst(node);
                _hits++;
                block = node.Value.Block;
                return true;
            }

            _misses++;
        }

        block = null;
        return false;
    }

    /// <summary>Caches a block just loaded (unless it is larger than a quarter of the capacity) in the window; a block the
    /// window then pushes out joins the main region if it is asked for more often than what it would evict there.</summary>
    public void Add(long table, long offset, byte[] block)
    {
        if (_capacityBytes <= 0 || block.Length > _capacityBytes / 4)
        {
            return;
        }

        lock (_lock)
        {
            if (_map.ContainsKey((table, offset)))
            {
                return;
            }

            _map[(table, offset)] = _window.AddFirst(new Entry(table, offset, block));
            _windowBytes += block.Length;

            // The newest block always stays in the window, however small the window's share.
            while (_windowBytes > _windowBytesLimit && _window.Count > 1)
            {
                var candidate = _window.Last!;
                Unlink(candidate);
                Admit(candidate);
            }

            while (_windowBytes + _mainBytes > _capacityBytes)
            {
                Evict((_main.Count > 0 ? _main : _window).Last!);
            }
        }
    }

    /// <summary>Drops every cached block of <paramref name="table"/> (a table that was deleted).</summary>
    public void RemoveTable(long table)
    {
        lock (_lock)
        {
            foreach (var list in (ReadOnlySpan<LinkedList<Entry>>)[_window, _main])
            {
                for (var node = list.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.Table == table)
                    {
                        Evict(node);
                    }

                    node = next;
                }
            }
        }
    }

    /// <summary>Under the lock: a block the window pushed out joins the main region if there is room, or if it is asked for
    /// more often than the main region's least recently used block, which the caller then evicts.</summary>
    private void Admit(LinkedListNode<Entry> candidate)
    {
        var entry = candidate.Value;
        var hasRoom = _windowBytes + _mainBytes + entry.Block.Length <= _capacityBytes;
        if (hasRoom || _main.Last is not { } victim
            || _sketch.Estimate(Hash(entry.Table, entry.Offset)) > _sketch.Estimate(Hash(victim.Value.Table, victim.Value.Offset)))
        {
            _main.AddFirst(candidate);
            _mainBytes += entry.Block.Length;
            return;
        }

        _map.Remove((entry.Table, entry.Offset));
        _rejections++;
    }

    /// <summary>Under the lock: takes a cached block out of its region and forgets it.</summary>
    private void Evict(LinkedListNode<Entry> node)
    {
        Unlink(node);
        _map.Remove((node.Value.Table, node.Value.Offset));
    }

    /// <summary>Under the lock: takes a block out of the region (window or main) that holds it, and out of its bytes.</summary>
    private void Unlink(LinkedListNode<Entry> node)
    {
        if (node.List == _window)
        {
            _windowBytes -= node.Value.Block.Length;
        }
        else
        {
            _mainBytes -= node.Value.Block.Length;
        }

        node.List!.Remove(node);
    }

    /// <summary>A fixed 64-bit mix of a block's key (SplitMix64's finalizer), so that the sketch is the same on every run.</summary>
    private static ulong Hash(long table, long offset)
    {
        var x = (ulong)table * 0x9E3779B97F4A7C15UL ^ (ulong)offset;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private sealed record Entry(long Table, long Offset, byte[] Block);
}
