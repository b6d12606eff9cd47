// The anti-entropy Merkle tree: order-independent hashes, one leaf path per changed key, a top-down diff that
// names exactly the differing leaves (and costs one exchange for identical trees), and incremental updates
// that always match a tree built from scratch (property test against a dictionary model).

using System.Text;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Versioning;

namespace GrainKV.Tests.AntiEntropy;

public sealed class MerkleTreeTests
{
    private const int Leaves = 64;

    [Fact]
    public void EqualContentsGiveEqualRootsWhateverTheWriteOrder()
    {
        var random = new Random(7);
        var contents = Enumerable.Range(0, 300).ToDictionary(i => $"key-{i}", _ => RandomVersions(random));
        var forward = new MerkleTree(Leaves);
        var backward = new MerkleTree(Leaves);
        foreach (var (key, versions) in contents)
        {
            forward.Update(Bytes(key), null, MerkleTree.Digest(Bytes(key), versions));
        }

        foreach (var (key, versions) in contents.Reverse())
        {
            // Written first with other versions, then overwritten: only the final contents count.
            var first = MerkleTree.Digest(Bytes(key), RandomVersions(random));
            backward.Update(Bytes(key), null, first);
            backward.Update(Bytes(key), first, MerkleTree.Digest(Bytes(key), versions.Reverse().ToArray()));
        }

        Assert.Equal(forward.Root, backward.Root);
        Assert.NotEqual(new MerkleTree(Leaves).Root, forward.Root);
    }

    [Fact]
    public void OneChangedKeyChangesExactlyOneLeafPath()
    {
        var random = new Random(11);
        var (a, b) = (new MerkleTree(Leaves), new MerkleTree(Leaves));
        var digests = new Dictionary<string, ulong>();
        for (var i = 0; i < 200; i++)
        {
            var key = $"key-{i}";
            digests[key] = MerkleTree.Digest(Bytes(key), RandomVersions(random));
            a.Update(Bytes(key), null, digests[key]);
            b.Update(Bytes(key), null, digests[key]);
        }

        var changed = Bytes("key-42");
        b.Update(changed, digests["key-42"], MerkleTree.Digest(changed, RandomVersions(random)));

        var expectedPath = new HashSet<int>();
        for (var node = Leaves + b.LeafOf(changed); node >= 1; node >>= 1)
        {
            expectedPath.Add(node);
        }

        var differing = Enumerable.Range(1, (2 * Leaves) - 1).Where(n => a.Hash(n) != b.Hash(n)).ToHashSet();
        Assert.Equal(expectedPath, differing);
    }

    [Fact]
    public async Task TheDiffNamesExactlyTheDifferingLeavesAndIdenticalTreesExchangeOnlyTheirRoots()
    {
        var random = new Random(3);
        for (var round = 0; round < 50; round++)
        {
            var ours = new Dictionary<string, ulong>();
            var theirs = new Dictionary<string, ulong>();
            for (var i = 0; i < 200; i++)
            {
                var key = $"k{i}";
                var digest = MerkleTree.Digest(Bytes(key), RandomVersions(random));
                ours[key] = digest;
                theirs[key] = digest;
            }

            for (var i = 0; i < random.Next(0, 6); i++)
            {
                var key = $"k{random.Next(250)}";
                switch (random.Next(3))
                {
                    case 0: theirs[key] = MerkleTree.Digest(Bytes(key), RandomVersions(random)); break;
                    case 1: theirs.Remove(key); break;
                    default: ours[key] = MerkleTree.Digest(Bytes(key), RandomVersions(random)); break;
                }
            }

            var (local, remote) = (Build(ours), Build(theirs));
            var calls = 0;
            var diff = await local.DiffAsync(nodes =>
            {
                calls++;
                return Task.FromResult(remote.Hashes(nodes));
            });

            var expected = ours.Keys.Union(theirs.Keys)
                .Where(k => ours.GetValueOrDefault(k) != theirs.GetValueOrDefault(k))
                .Select(k => local.LeafOf(Bytes(k)))
                .Distinct()
                .Order()
                .ToList();
            Assert.Equal(expected, diff);
            if (expected.Count == 0)
            {
                Assert.Equal(1, calls);
            }
        }
    }

    [Fact]
    public void IncrementalUpdatesMatchATreeBuiltFromScratch()
    {
        var random = new Random(5);
        var tree = new MerkleTree(Leaves);
        var model = new Dictionary<string, ulong>();
        for (var step = 0; step < 3000; step++)
        {
            var key = $"key-{random.Next(400)}";
            var before = model.TryGetValue(key, out var old) ? old : (ulong?)null;
            ulong? after = random.Next(4) == 0 ? null : MerkleTree.Digest(Bytes(key), RandomVersions(random));
            tree.Update(Bytes(key), before, after);
            if (after is { } digest)
            {
                model[key] = digest;
            }
            else
            {
                model.Remove(key);
            }

            if (step % 100 == 0)
            {
                Assert.Equal(Build(model).Root, tree.Root);
            }
        }

        Assert.Equal(Build(model).Root, tree.Root);
    }

    [Fact]
    public void DigestsDependOnDotsAndTombstonesNotOnOrder()
    {
        var a = new StoredVersion("n1/x", 3, VectorClock.Empty, 10, [1]);
        var b = new StoredVersion("n2/y", 1, VectorClock.Empty, 11, null);
        var key = Bytes("k");
        Assert.Equal(MerkleTree.Digest(key, [a, b]), MerkleTree.Digest(key, [b, a]));
        Assert.NotEqual(MerkleTree.Digest(key, [a]), MerkleTree.Digest(key, [a, b]));
        Assert.NotEqual(MerkleTree.Digest(key, [a]), MerkleTree.Digest(key, [a with { Value = null }]));
        Assert.NotEqual(MerkleTree.Digest(key, [a]), MerkleTree.Digest(Bytes("other"), [a]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleTree(100));
    }

    private static MerkleTree Build(Dictionary<string, ulong> digests)
    {
        var tree = new MerkleTree(Leaves);
        foreach (var (key, digest) in digests)
        {
            tree.Update(Bytes(key), null, digest);
        }

        return tree;
    }

    private static StoredVersion[] RandomVersions(Random random) =>
        Enumerable.Range(0, random.Next(1, 4))
            .Select(i => new StoredVersion($"n{random.Next(3)}/{i}", (ulong)random.Next(1, 1000), VectorClock.Empty, 0, random.Next(5) == 0 ? null : [1]))
            .ToArray();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
