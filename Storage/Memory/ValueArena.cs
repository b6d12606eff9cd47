// The memtable's values, kept in large chunks instead of one array each. A value lives until its memtable is
// flushed (seconds), so as an array of its own it would survive young collections and be copied twice by the
// garbage collector (gen0 → gen1 → gen2) before a gen2 collection reclaims it. Chunks of 1 MiB are allocated on
// the large object heap, which young collections neither copy nor compact, so a value costs one copy into its
// chunk and nothing more until the whole memtable is dropped. A value larger than a quarter of a chunk gets a
// chunk of its own.
//
// A value is named by a location: one long packing (chunk, offset, length), so that a node can replace its value
// with one release store. Tombstones and empty values have locations of their own and take no space.
//
// Concurrency: one writer (the memtable's) appends; any number of readers read. The writer fills a chunk slot
// before any location names the chunk, and grows the chunk table by copying it and publishing the copy with a
// release store; a reader that loaded a location by acquire load and then loads the table sees the chunk.
// Bytes of a location are written before the location is published and never change afterwards.
//
// Reuse: with a pool (the engine's), shared chunks come from it and go back to it when the memtable is recycled,
// so a busy engine stops allocating (and the garbage collector stops collecting) a memtable's worth of large arrays
// per flush. Recycling is the memtable's last reference going (see TableSet): no reader can hold a location of the
// arena any more. A recycled arena refuses to append and to read, so a use after recycling fails loudly instead of
// reading another memtable's bytes.

namespace GrainKV.Storage.Memory;

/// <summary>Append-only value storage for one memtable: one writer, lock-free readers.</summary>
internal sealed class ValueArena(ValueChunkPool? pool = null)
{
    /// <summary>Bytes of a shared chunk.</summary>
    public const int ChunkSize = 1 << OffsetBits;

    /// <summary>The location of a tombstone.</summary>
    public const long Tombstone = -1;

    /// <summary>The location of an empty value.</summary>
    public const long Empty = -2;

    private const int OffsetBits = 20;
    private const int LengthBits = 21;
    private const int OwnChunkAbove = ChunkSize / 4;
    private const long WholeChunk = (1L << LengthBits) - 1;

    /// <summary>Chunk numbers take the remaining 23 bits; keeping the top one clear keeps every location ≥ 0.</summary>
    private const int MaxChunks = 1 << (63 - OffsetBits - LengthBits);

    private byte[][] _chunks = new byte[8][];
    private int _chunkCount;
    private volatile bool _recycled;
    private int _current = -1;
    private int _used;

    /// <summary>Writer only: stores <paramref name="value"/> and returns its location.</summary>
    public long Append(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return Empty;
        }

        ObjectDisposedException.ThrowIf(_recycled, this);

        if (value.Length > OwnChunkAbove)
        {
            var own = GC.AllocateUninitializedArray<byte>(value.Length);
            value.CopyTo(own);
            return Locate(AddChunk(own), 0, WholeChunk);
        }

        if (_current < 0 || _used + value.Length > ChunkSize)
        {
            _current = AddChunk(pool?.Rent() ?? GC.AllocateUninitializedArray<byte>(ChunkSize));
            _used = 0;
        }

        value.CopyTo(_chunks[_current].AsSpan(_used));
        var location = Locate(_current, _used, value.Length);
        _used += value.Length;
        return location;
    }

    /// <summary>The bytes at <paramref name="location"/> in place (a tombstone for <see cref="Tombstone"/>); they never
    /// change. The location must have been loaded by acquire load (or by the writer).</summary>
    public StoredValue At(long location)
    {
        if (location == Tombstone)
        {
            return StoredValue.Tombstone;
        }

        if (location == Empty)
        {
            return new StoredValue([], 0, 0);
        }

        var chunks = Volatile.Read(ref _chunks);
        var index = (int)(location >> (OffsetBits + LengthBits));
        if ((uint)index >= (uint)chunks.Length)
        {
            ThrowRecycled(); // a live arena's locations always name a chunk: only a recycled arena (no chunks) gets here
        }

        var chunk = chunks[index];
        var length = location & WholeChunk;
        return length == WholeChunk
            ? new StoredValue(chunk, 0, chunk.Length)
            : new StoredValue(chunk, (int)((location >> LengthBits) & (ChunkSize - 1)), (int)length);
    }

    /// <summary>Whether <see cref="Recycle"/> ran: the arena holds no chunk any more.</summary>
    public bool IsRecycled => _recycled;

    /// <summary>Hands every chunk of <see cref="ChunkSize"/> bytes to the pool (if any) and refuses any later use. Only
    /// once nothing can read the arena: no reader holds one of its locations or will load one.</summary>
    public void Recycle()
    {
        if (_recycled)
        {
            return;
        }

        _recycled = true;
        var chunks = _chunks;
        Volatile.Write(ref _chunks, []);
        pool?.Return(chunks.AsSpan(0, _chunkCount));
        _chunkCount = 0;
        _current = -1;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowRecycled() =>
        throw new ObjectDisposedException(nameof(ValueArena), "The memtable's values were recycled; it was read after its last reference went.");

    /// <summary>The location of <paramref name="length"/> bytes at <paramref name="offset"/> of chunk <paramref name="chunk"/>.</summary>
    private static long Locate(int chunk, int offset, long length) =>
        ((long)chunk << (OffsetBits + LengthBits)) | ((long)offset << LengthBits) | length;

    private int AddChunk(byte[] chunk)
    {
        if (_chunkCount == MaxChunks)
        {
            throw new InvalidOperationException($"A memtable holds at most {MaxChunks} value chunks.");
        }

        if (_chunkCount == _chunks.Length)
        {
            var grown = new byte[_chunks.Length * 2][];
            Array.Copy(_chunks, grown, _chunkCount);
            Volatile.Write(ref _chunks, grown);
        }

        _chunks[_chunkCount] = chunk;
        return _chunkCount++;
    }
}
