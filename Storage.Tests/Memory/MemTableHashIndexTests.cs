// The memtable's point-lookup index alone: keys whose hashes collide (forced here) are told apart by their
// bytes, probing wraps around the end of the table, and growing the table keeps every key findable.

using System.Text;
using GrainKV.Storage.Memory;

namespace GrainKV.Storage.Tests.Memory;

public sealed class MemTableHashIndexTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static MemTableNode? Find(MemTableHashIndex index, byte[] key, ulong hash) =>
        index.Find(key, hash, KeyPrefix.Of(key));

    [Fact]
    public void KeysWithOneHashAreToldApartAndProbingWrapsAround()
    {
        var index = new MemTableHashIndex();
        const ulong lastSlot = ulong.MaxValue; // lands on the table's last slot, so the chain wraps to slot 0
        var keys = new[] { B("key-one"), B("key-one-longer"), B("key-two"), B("k"), B("key-onf") };
        foreach (var key in keys)
        {
            index.Add(new MemTableNode(key, ValueArena.Empty, 1, lastSlot));
        }

        foreach (var key in keys)
        {
            Assert.Same(key, Find(index, key, lastSlot)?.Key);
        }

        Assert.Null(Find(index, B("key-on"), lastSlot));
        Assert.Null(Find(index, B("key-one"), 17));
    }

    [Fact]
    public void GrowingKeepsEveryKeyFindable()
    {
        var index = new MemTableHashIndex();
        var keys = Enumerable.Range(0, 5000).Select(i => B($"key-{i}")).ToList();
        foreach (var key in keys)
        {
            index.Add(new MemTableNode(key, ValueArena.Tombstone, 1, MemTableHashIndex.Hash(key)));
        }

        Assert.All(keys, key => Assert.Same(key, Find(index, key, MemTableHashIndex.Hash(key))?.Key));
        Assert.Null(Find(index, B("key-5000"), MemTableHashIndex.Hash(B("key-5000"))));
    }
}
