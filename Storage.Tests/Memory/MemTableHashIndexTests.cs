// The memtable's point-lookup index alone: keys whose hashes collide (forced here) are told apart by their
// bytes, probing wraps around the end of the table, and growing the table keeps every key findable (5,000 keys:
// the node arrays grow past their first segment too).

using System.Text;
using GrainKV.Storage.Memory;

namespace GrainKV.Storage.Tests.Memory;

public sealed class MemTableHashIndexTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private readonly MemTableNodes _nodes = new();

    /// <summary>The key of the node the index finds for <paramref name="key"/> under <paramref name="hash"/>, or null.</summary>
    private byte[]? Find(MemTableHashIndex index, byte[] key, ulong hash)
    {
        var node = index.Find(key, hash, KeyPrefix.Of(key));
        return node == MemTableNodes.None ? null : _nodes.KeyOf(node);
    }

    private int Node(byte[] key, ulong hash) => _nodes.Add(key, KeyPrefix.Of(key), hash, ValueArena.Empty);

    [Fact]
    public void KeysWithOneHashAreToldApartAndProbingWrapsAround()
    {
        var index = new MemTableHashIndex(_nodes);
        const ulong lastSlot = ulong.MaxValue; // lands on the table's last slot, so the chain wraps to slot 0
        var keys = new[] { B("key-one"), B("key-one-longer"), B("key-two"), B("k"), B("key-onf") };
        foreach (var key in keys)
        {
            index.Add(Node(key, lastSlot));
        }

        foreach (var key in keys)
        {
            Assert.Same(key, Find(index, key, lastSlot));
        }

        Assert.Null(Find(index, B("key-on"), lastSlot));
        Assert.Null(Find(index, B("key-one"), 17));
    }

    [Fact]
    public void GrowingKeepsEveryKeyFindable()
    {
        var index = new MemTableHashIndex(_nodes);
        var keys = Enumerable.Range(0, 5000).Select(i => B($"key-{i}")).ToList();
        foreach (var key in keys)
        {
            index.Add(Node(key, MemTableHashIndex.Hash(key)));
        }

        Assert.All(keys, key => Assert.Same(key, Find(index, key, MemTableHashIndex.Hash(key))));
        Assert.Null(Find(index, B("key-5000"), MemTableHashIndex.Hash(B("key-5000"))));
    }
}
