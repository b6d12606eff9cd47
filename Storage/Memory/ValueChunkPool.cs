// The engine's spare value chunks (ValueArena): a flushed memtable's chunks, kept for the memtables that follow it.
// Without it every memtable allocates its chunks anew (1 MiB each, on the large object heap) and the garbage
// collector reclaims them only in gen2 collections: a write-heavy node spends its collections on them.
//
// Bound: at most one memtable's worth of chunks waits here. Chunks only move between memtables and the pool, and a
// memtable allocates only when the pool is empty, so the pool never raises the peak of memory held by memtables
// (see StorageOptions.MemTableAndCacheBytes); it only keeps up to one memtable's worth after writes stop.
//
// Rent is called by the engine's one writer; Return by whichever thread releases a memtable's last reference. Both
// are rare (once per chunk, a megabyte of writes), so one lock serves.

namespace GrainKV.Storage.Memory;

/// <summary>A bounded stack of spare <see cref="ValueArena.ChunkSize"/>-byte chunks.</summary>
internal sealed class ValueChunkPool
{
    private readonly Lock _lock = new();
    private readonly Stack<byte[]> _chunks = new();
    private readonly int _capacity;
    private long _reused;
    private bool _closed;

    /// <summary>A pool keeping at most <paramref name="capacity"/> chunks.</summary>
    public ValueChunkPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    /// <summary>A pool for memtables of <paramref name="memTableSize"/> bytes: one memtable's chunks, and one more for
    /// the chunk a memtable starts just before it is rotated.</summary>
    public static ValueChunkPool ForMemTables(long memTableSize) =>
        new((int)Math.Min(int.MaxValue, (memTableSize + ValueArena.ChunkSize - 1) / ValueArena.ChunkSize + 1));

    /// <summary>Chunks waiting to be reused.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _chunks.Count;
            }
        }
    }

    /// <summary>Chunks handed out again instead of allocated.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>A spare chunk (its bytes are whatever its last memtable left), or a new one.</summary>
    public byte[] Rent()
    {
        lock (_lock)
        {
            if (_chunks.TryPop(out var chunk))
            {
                Interlocked.Increment(ref _reused);
                return chunk;
            }
        }

        return GC.AllocateUninitializedArray<byte>(ValueArena.ChunkSize);
    }

    /// <summary>Keeps the chunks of <see cref="ValueArena.ChunkSize"/> bytes among <paramref name="chunks"/> while there
    /// is room (others are left to the garbage collector). The caller must not use them afterwards.</summary>
    public void Return(ReadOnlySpan<byte[]> chunks)
    {
        lock (_lock)
        {
            foreach (var chunk in chunks)
            {
                if (_closed || _chunks.Count >= _capacity)
                {
                    return;
                }

                if (chunk.Length == ValueArena.ChunkSize)
                {
                    _chunks.Push(chunk);
                }
            }
        }
    }

    /// <summary>Drops every spare chunk and keeps none from now on (the engine is closing).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _chunks.Clear();
        }
    }
}
