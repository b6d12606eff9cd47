// An overwrite (a RESP SET) supersedes every version its read quorum finds. When that quorum is one replica, the
// version's creator supersedes what it holds, under the key's lock, in the write itself: no separate read is made.
// At a larger read quorum that its write quorum matches, the write goes first and its copies confirm that it covered
// what the replicas held; a replica holding a version the creator lacked makes it read (the versions' headers) and
// write again, so versions held only by other replicas are superseded too. Either way it counts as one put.

using System.Text;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GrainKV.Tests.Coordination;

public sealed class OverwriteTests
{
    private static readonly ReadOptions OneReplica = new() { ReadQuorum = Acks.One };

    [Fact]
    public async Task AtReadQuorumOneTheCreatorSupersedesItsSiblingsWithoutARead()
    {
        await using var cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1));
        var silo = cluster.Cluster.Silos[0];
        var key = Encoding.UTF8.GetBytes("overwritten");
        await cluster.Client.PutAsync(key, Encoding.UTF8.GetBytes("one"));
        await cluster.Client.PutAsync(key, Encoding.UTF8.GetBytes("two"));
        Assert.Equal(2, (await cluster.Client.GetAsync(key)).Values.Count);

        var replicas = cluster.Service<LocalReplicas>(silo);
        var readsBefore = replicas.Reads;
        await Requests(cluster, silo).OverwriteAsync(RangeOf(key), key, Encoding.UTF8.GetBytes("three"), OneReplica, WriteOptions.Default, CancellationToken.None);
        Assert.Equal(readsBefore, replicas.Reads);

        var read = await cluster.Client.GetAsync(key);
        Assert.Equal("three", Encoding.UTF8.GetString(Assert.Single(read.Values)));
    }

    [Fact]
    public async Task AtALargerReadQuorumTheOverwriteReadsFirstAndSupersedesWhatOtherReplicasHold()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3);
        var key = Encoding.UTF8.GetBytes("overwritten-everywhere");
        var range = RangeOf(key);

        // Two concurrent versions, each created on (and held by) a different node only.
        var silos = cluster.Cluster.Silos;
        await cluster.Service<LocalReplicas>(silos[1]).CoordinateAsync(range, key, Encoding.UTF8.GetBytes("on-1"), CausalContext.Empty);
        await cluster.Service<LocalReplicas>(silos[2]).CoordinateAsync(range, key, Encoding.UTF8.GetBytes("on-2"), CausalContext.Empty);

        var all = new ReadOptions { ReadQuorum = Acks.All };
        using (var requests = new MetricCollector<long>(cluster.Service<GrainKvMetrics>(silos[0]).Meter, "grainkv.requests"))
        {
            await Requests(cluster, silos[0]).OverwriteAsync(range, key, Encoding.UTF8.GetBytes("last"), all, new WriteOptions { WriteQuorum = Acks.All }, CancellationToken.None);

            // One request: a put, its read of the versions to supersede included (not also a get).
            var counted = Assert.Single(requests.GetMeasurementSnapshot());
            Assert.Equal(("put", "ok"), ((string?)counted.Tags["operation"], (string?)counted.Tags["outcome"]));
        }

        var read = await cluster.Client.GetAsync(key, all);
        Assert.Equal("last", Encoding.UTF8.GetString(Assert.Single(read.Values)));
    }

    [Fact]
    public async Task WhenEveryReplicaHoldsWhatTheCreatorHoldsTheOverwriteIsConfirmedByItsCopiesWithoutARead()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (3, 2, 2));
        var key = Encoding.UTF8.GetBytes("overwritten-in-one-round");
        var range = RangeOf(key);
        var silos = cluster.Cluster.Silos;
        await cluster.Client.PutAsync(key, Encoding.UTF8.GetBytes("first"));
        await Eventually.HoldsAsync(
            async () => (await Task.WhenAll(silos.Select(s => cluster.Service<LocalReplicas>(s).ReadDurableAsync(range, key).AsTask()))).All(set => set.Length == 1),
            TimeSpan.FromSeconds(30), "every replica holds the first version");

        var readsBefore = silos.Select(s => cluster.Service<LocalReplicas>(s).Reads).ToArray();
        using (var overwrites = new MetricCollector<long>(cluster.Service<GrainKvMetrics>(silos[0]).Meter, "grainkv.overwrites"))
        {
            await Requests(cluster, silos[0]).OverwriteAsync(range, key, Encoding.UTF8.GetBytes("second"), ReadOptions.Default, WriteOptions.Default, CancellationToken.None);
            Assert.Equal("one", (string?)Assert.Single(overwrites.GetMeasurementSnapshot()).Tags["rounds"]);
        }

        // No replica was read: the creator's copies answered that the new version covered what they held.
        Assert.Equal(readsBefore, silos.Select(s => cluster.Service<LocalReplicas>(s).Reads).ToArray());
        var read = await cluster.Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All });
        Assert.Equal("second", Encoding.UTF8.GetString(Assert.Single(read.Values)));
    }

    [Theory]
    [InlineData(2, 2)]   // a write two replicas acknowledged; its copy to the third, the overwrite's creator, has not arrived
    [InlineData(3, 1)]   // W = 3 > R: one replica of the three that acknowledge the overwrite holds a version it misses
    public async Task AnOverwriteWhoseCreatorLacksAVersionReadsAndWritesAgainOverIt(int writeQuorum, int holders)
    {
        await using var cluster = await GrainKvCluster.StartAsync(3, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (3, writeQuorum, 2));
        var key = Encoding.UTF8.GetBytes("overwritten-over-a-missed-write");
        var range = RangeOf(key);
        var silos = cluster.Cluster.Silos;

        var missed = await cluster.Service<LocalReplicas>(silos[2]).CoordinateAsync(range, key, Encoding.UTF8.GetBytes("missed"), CausalContext.Empty);
        if (holders == 2)
        {
            await cluster.Service<LocalReplicas>(silos[1]).ApplyAsync(range, key, missed);
        }

        using (var requests = new MetricCollector<long>(cluster.Service<GrainKvMetrics>(silos[0]).Meter, "grainkv.requests"))
        using (var overwrites = new MetricCollector<long>(cluster.Service<GrainKvMetrics>(silos[0]).Meter, "grainkv.overwrites"))
        {
            await Requests(cluster, silos[0]).OverwriteAsync(range, key, Encoding.UTF8.GetBytes("last"), ReadOptions.Default, WriteOptions.Default, CancellationToken.None);
            var counted = Assert.Single(requests.GetMeasurementSnapshot());
            Assert.Equal(("put", "ok"), ((string?)counted.Tags["operation"], (string?)counted.Tags["outcome"]));
            Assert.Equal("two", (string?)Assert.Single(overwrites.GetMeasurementSnapshot()).Tags["rounds"]);
        }

        // Whichever two replicas a read asks, the missed version is superseded, not a sibling of the new one.
        foreach (var silo in silos)
        {
            await Eventually.HoldsAsync(
                async () => await cluster.Service<LocalReplicas>(silo).ReadDurableAsync(range, key) is [{ } only] && only.Value is { } value &&
                            Encoding.UTF8.GetString(value) == "last",
                TimeSpan.FromSeconds(30), $"{silo.Name} holds the last version alone");
        }
    }

    [Fact]
    public async Task AnApplyAnswersWhetherTheReplicaHoldsAnythingConcurrentWithIt()
    {
        await using var cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1));
        var replicas = cluster.Service<LocalReplicas>(cluster.Cluster.Silos[0]);
        var key = Encoding.UTF8.GetBytes("applied");
        var range = RangeOf(key);
        var first = FixedRing.Version("a", 1, "first");
        var later = FixedRing.Version("b", 1, "later", first);
        var concurrent = FixedRing.Version("c", 1, "concurrent");

        Assert.True(await replicas.ApplyAsync(range, key, [first]));
        Assert.True(await replicas.ApplyAsync(range, key, [later]));

        // A copy that arrives after a later write over it: the replica holds nothing it missed.
        Assert.True(await replicas.ApplyAsync(range, key, [first]));

        // A version concurrent with the applied ones, held before or arriving with them, is not covered.
        Assert.False(await replicas.ApplyAsync(range, key, [concurrent]));
        Assert.False(await replicas.ApplyAsync(range, key, [later]));
        Assert.Equal(2, (await replicas.ReadDurableAsync(range, key)).Length);
    }

    [Fact]
    public async Task AnOverwritingCreationCoversEveryStoredVersionAndAPlainOneKeepsThemAsSiblings()
    {
        await using var cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1));
        var replicas = cluster.Service<LocalReplicas>(cluster.Cluster.Silos[0]);
        var (plain, overwritten) = (Encoding.UTF8.GetBytes("plain"), Encoding.UTF8.GetBytes("overwritten"));
        foreach (var key in new[] { plain, overwritten })
        {
            await replicas.CoordinateAsync(RangeOf(key), key, [1], CausalContext.Empty);
            await replicas.CoordinateAsync(RangeOf(key), key, [2], CausalContext.Empty);
        }

        Assert.Equal(3, (await replicas.CoordinateAsync(RangeOf(plain), plain, [3], CausalContext.Empty)).Length);
        var set = await replicas.CoordinateAsync(RangeOf(overwritten), overwritten, [3], CausalContext.Empty, overwrite: true);
        Assert.Equal([3], Assert.Single(set).Value);
    }

    [Fact]
    public async Task AnOverwriteSupersedesSiblingsOfMoreNodesThanAClockKeeps()
    {
        // Clocks keep one entry here, yet the new version must cover all three siblings (each of another node): the
        // creator reads them without their values, which is safe only because none of them survives.
        await using var cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum, o.MaxClockEntries) = (1, 1, 1, 1));
        var replicas = cluster.Service<LocalReplicas>(cluster.Cluster.Silos[0]);
        var key = Encoding.UTF8.GetBytes("many-writers");
        StoredVersion[] siblings = [.. new[] { "x", "y", "z" }.Select(node => new StoredVersion(node, 1, VectorClock.Empty, 1000, Encoding.UTF8.GetBytes(node)))];
        await replicas.MergeAsync(RangeOf(key), key, siblings);
        Assert.Equal(3, (await cluster.Client.GetAsync(key)).Values.Count);

        var set = await replicas.CoordinateAsync(RangeOf(key), key, Encoding.UTF8.GetBytes("after"), CausalContext.Empty, overwrite: true);

        var created = Assert.Single(set);
        Assert.Equal(["x", "y", "z"], created.Past.Entries.Select(e => e.NodeId));
        Assert.Equal("after", Encoding.UTF8.GetString(Assert.Single((await cluster.Client.GetAsync(key)).Values)));
    }

    private static KeyRangeRequests Requests(GrainKvCluster cluster, Orleans.TestingHost.InProcessSiloHandle silo) => cluster.Service<KeyRangeRequests>(silo);

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);
}
