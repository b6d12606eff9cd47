// Reuse of memtable value chunks: a memtable's chunks go to the pool when its last reference goes, the next
// memtable takes them instead of allocating, and nothing reads or writes a memtable after that.

using System.Text;
using GrainKV.Storage.Memory;

namespace GrainKV.Storage.Tests.Memory;

public sealed class ValueChunkPoolTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A value that fills <paramref name="length"/> bytes with <paramref name="fill"/>.</summary>
    private static byte[] Filled(int length, byte fill) => Enumerable.Repeat(fill, length).ToArray();

    /// <summary>Writes <paramref name="count"/> values of 100 KiB (ten to a chunk) filled with <paramref name="fill"/>.</summary>
    private static void Fill(MemTable table, int count, byte fill)
    {
        for (var i = 0; i < count; i++)
        {
            table.Set(B($"k{i:D3}"), Filled(100 * 1024, fill));
        }
    }

    /// <summary>A memtable of <paramref name="pool"/> holding one reference (as a table set would), with <paramref name="count"/>
    /// values filled with <paramref name="fill"/>.</summary>
    private static MemTable Referenced(ValueChunkPool pool, int count, byte fill)
    {
        var table = new MemTable(pool);
        table.AddReference();
        Fill(table, count, fill);
        return table;
    }

    [Fact]
    public void AReleasedMemTablesChunksServeTheNextMemTableWhoseValuesAreItsOwn()
    {
        var pool = new ValueChunkPool(capacity: 8);
        var first = Referenced(pool, 30, fill: 1); // three chunks
        Assert.Equal(0, pool.Count);

        first.Release();
        Assert.Equal(3, pool.Count);

        var second = Referenced(pool, 30, fill: 2);
        Assert.Equal(3, pool.Reused);
        Assert.Equal(0, pool.Count);
        for (var i = 0; i < 30; i++)
        {
            Assert.True(second.TryGet(B($"k{i:D3}"), out var value));
            Assert.Equal(Filled(100 * 1024, 2), value);
        }
    }

    [Fact]
    public void ThePoolKeepsAtMostItsCapacityAndNoValueChunkOfOtherSize()
    {
        var pool = new ValueChunkPool(capacity: 2);
        var table = Referenced(pool, 40, fill: 1); // four shared chunks
        table.Set(B("large"), Filled(ValueArena.ChunkSize / 2, 3)); // a chunk of its own, of another size

        table.Release();

        Assert.Equal(2, pool.Count);
        Assert.Equal(ValueArena.ChunkSize, pool.Rent().Length);
        Assert.Equal(ValueArena.ChunkSize, pool.Rent().Length);
        Assert.Equal(2, pool.Reused);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void AMemTableIsRecycledOnlyWhenItsLastReferenceGoes()
    {
        var pool = new ValueChunkPool(capacity: 8);
        var table = Referenced(pool, 5, fill: 1);
        table.AddReference();

        table.Release();
        Assert.Equal(0, pool.Count);
        Assert.True(table.TryGet(B("k004"), out var value));
        Assert.Equal(Filled(100 * 1024, 1), value);

        table.Release();
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void ARecycledMemTableRefusesReadsWritesAndNewReferencesInsteadOfServingAnotherMemTablesBytes()
    {
        var pool = new ValueChunkPool(capacity: 8);
        var table = Referenced(pool, 5, fill: 1);
        table.Release();
        Fill(new MemTable(pool), 5, fill: 2); // takes the chunk back and overwrites it

        Assert.Throws<ObjectDisposedException>(() => table.TryGet(B("k000"), out _));
        Assert.Throws<ObjectDisposedException>(() => table.Set(B("k000"), B("v")));
        Assert.Throws<InvalidOperationException>(table.AddReference);
        Assert.Throws<InvalidOperationException>(table.Release);
    }

    [Fact]
    public void AClosedPoolKeepsNothing()
    {
        var pool = new ValueChunkPool(capacity: 8);
        var table = Referenced(pool, 20, fill: 1);

        pool.Close();
        table.Release();

        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void APoolForMemTablesHoldsOneMemTablesChunksAndOneMore()
    {
        var pool = ValueChunkPool.ForMemTables(4L * ValueArena.ChunkSize);
        pool.Return(Enumerable.Range(0, 10).Select(_ => new byte[ValueArena.ChunkSize]).ToArray());

        Assert.Equal(5, pool.Count);
    }
}
