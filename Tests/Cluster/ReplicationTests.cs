// Replication on a three-node in-process cluster (N=3, W=2, R=2): quorum reads see acknowledged writes,
// per-request quorums, siblings from concurrent writes and their resolution, read repair, and where
// each replica's data lives.

using System.Text;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

using GrainKV.Grains.Coordination;

namespace GrainKV.Tests.Cluster;

public sealed class ReplicationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private GrainKvCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task QuorumReadsSeeEveryAcknowledgedWrite()
    {
        var client = Cluster.Client;
        for (var i = 0; i < 40; i++)
        {
            await client.PutAsync($"quorum-{i}", $"v{i}");
            Assert.Equal($"v{i}", Text((await client.GetAsync($"quorum-{i}")).Value));
            await client.PutAsync($"quorum-{i}", $"w{i}", (await client.GetAsync($"quorum-{i}")).Context);
            Assert.Equal($"w{i}", Text((await client.GetAsync($"quorum-{i}")).Value));
        }
    }

    [Fact]
    public async Task PerRequestOneAndAllWork()
    {
        var client = Cluster.Client;
        await client.PutAsync("fast-write", "one", options: new WriteOptions { WriteQuorum = Acks.One });
        Assert.Equal("one", Text((await client.GetAsync("fast-write", new ReadOptions { ReadQuorum = Acks.All })).Value));

        await client.PutAsync("fast-read", "all", options: new WriteOptions { WriteQuorum = Acks.All });
        Assert.Equal("all", Text((await client.GetAsync("fast-read", new ReadOptions { ReadQuorum = Acks.One })).Value));

        await client.PutAsync("single-copy", "n1", options: new WriteOptions { Replicas = 1, WriteQuorum = Acks.One });
        Assert.Equal("n1", Text((await client.GetAsync("single-copy", new ReadOptions { Replicas = 1, ReadQuorum = Acks.One })).Value));
        Assert.Single(HoldersOf("single-copy"));
    }

    [Fact]
    public async Task WritesWithoutContextBecomeSiblingsAndAContextCollapsesThem()
    {
        var client = Cluster.Client;
        await client.PutAsync("cart", "apple");
        await client.PutAsync("cart", "pear");

        var both = await client.GetAsync("cart");
        Assert.True(both.HasSiblings);
        Assert.Equal(["apple", "pear"], both.Values.Select(Text).Order());

        await client.PutAsync("cart", "apple+pear", both.Context);
        var resolved = await client.GetAsync("cart", new ReadOptions { ReadQuorum = Acks.All });
        Assert.Equal("apple+pear", Text(resolved.Value));
    }

    [Fact]
    public async Task AWriteStoredTwiceReadsAsOneValueAndOneContextSupersedesBoth()
    {
        // What a write retried after its gateway died can leave: two versions of one write, with one value.
        var client = Cluster.Client;
        var key = Bytes("written-twice");
        var before = await client.GetAsync(key);
        var everywhere = new WriteOptions { WriteQuorum = Acks.All };
        await client.PutAsync(key, Bytes("same"), before.Context, everywhere);
        await client.PutAsync(key, Bytes("same"), before.Context, everywhere);
        var range = KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);
        var node = Cluster.Service<RingService>(Cluster.Cluster.Silos[0]).Current.PreferenceList(range, 3)[0];
        Assert.Equal(2, (await Cluster.Service<ReplicaRouter>(Cluster.Cluster.Silos[0]).Read(node, range, key)).Length);

        var read = await client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All });
        Assert.Equal("same", Text(Assert.Single(read.Values)));

        await client.PutAsync(key, Bytes("next"), read.Context);
        Assert.Equal("next", Text(Assert.Single((await client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Values)));
    }

    [Fact]
    public async Task DeleteIsATombstoneThatSupersedesWhatWasRead()
    {
        var client = Cluster.Client;
        await client.PutAsync("gone", "soon");
        await client.DeleteAsync("gone");
        var read = await client.GetAsync("gone", new ReadOptions { ReadQuorum = Acks.All });
        Assert.False(read.Found);
        Assert.False(read.Context.IsEmpty);
        await client.PutAsync("gone", "back", read.Context);
        Assert.Equal("back", Text((await client.GetAsync("gone")).Value));
    }

    [Fact]
    public async Task EachReplicaLivesInItsOwnNodesEngineAndDirectory()
    {
        await Cluster.Client.PutAsync("placed", "everywhere", options: new WriteOptions { WriteQuorum = Acks.All });
        var holders = HoldersOf("placed");
        Assert.Equal(3, holders.Count);
        foreach (var silo in Cluster.Cluster.Silos)
        {
            var store = Cluster.Service<LocalStore>(silo);
            Assert.StartsWith(Cluster.DataDirectoryOf(silo.Name), store.EngineDirectory, StringComparison.Ordinal);
            Assert.Equal(silo.Name, Cluster.Service<NodeIdentity>(silo).NodeId);
        }

        Assert.Equal(3, Cluster.Cluster.Silos.Select(s => Cluster.Service<LocalStore>(s).EngineDirectory).Distinct().Count());
    }

    [Fact]
    public async Task ReadRepairBringsAStaleReplicaUpToDate()
    {
        var key = Bytes("repair-me");
        var range = KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);
        var nodes = Cluster.Service<RingService>(Cluster.Cluster.Silos[0]).Current.PreferenceList(range, 3);
        var router = Cluster.Service<ReplicaRouter>(Cluster.Cluster.Silos[0]);

        // Two replicas get a version written a minute ago (older than ReadRepairMinAge: no write is still copying it);
        // the third never hears of it.
        var version = new StoredVersion(
            "repair-writer/1", 1, VectorClock.Empty, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), Bytes("fresh"));
        await router.Apply(nodes[0], range, key, [version]);
        await router.Apply(nodes[1], range, key, [version]);
        Assert.Empty(await router.Read(nodes[2], range, key));

        Assert.Equal("fresh", Text((await Cluster.Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Value));
        await Eventually.HoldsAsync(async () => (await router.Read(nodes[2], range, key)).Any(v => v.SameDot(version)), Bound, "the stale replica was repaired");
    }

    private List<string> HoldersOf(string key)
    {
        var bytes = Bytes(key);
        var engineKey = StorageKeys.Encode(KeyPartitioner.RangeOf(bytes, KeyPartitioner.DefaultRangeCount), bytes);
        return Cluster.Cluster.Silos.Where(s => Cluster.Service<LocalStore>(s).Engine.TryGet(engineKey, out _)).Select(s => s.Name).ToList();
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
