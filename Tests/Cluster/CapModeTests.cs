// The two CAP modes on a four-node cluster (N=3) with part of a key's replicas cut off (gossip and replica
// calls dropped both ways, so the others see them down while Orleans membership still has them active):
// sloppy mode stays writable and readable through the fourth node, which keeps hinted copies and hands them
// to the replica once the partition heals; strict mode refuses at once with the typed error.

using System.Text;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.Cluster;

public sealed class CapModeTests(CapModeClusterFixture fixture) : IClassFixture<CapModeClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly List<Action> _heal = [];

    private GrainKvCluster Cluster => fixture.Cluster;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var heal in _heal)
        {
            heal();
        }

        await AwaitLiveAsync(Cluster.Cluster.Silos.Select(s => s.Name).ToArray());
        foreach (var silo in Cluster.Cluster.Silos)
        {
            await Cluster.Service<HintDelivery>(silo).DeliverAsync();
        }
    }

    [Fact]
    public async Task SloppyWritesSucceedThroughAStandbyAndItsHintsReachTheReplicaAfterHealing()
    {
        var key = Bytes("sloppy-write");
        var (top, standby) = PlacementOf(key);
        await PartitionAsync(top[2]);

        // W = 3 of N = 3 with one replica cut off: the standby's hint is the third acknowledgement.
        var coordinator = CoordinatorOn(top[0]);
        await coordinator.Put(RangeOf(key), key, Bytes("written-while-cut-off"), CausalContext.Empty, new WriteOptions { WriteQuorum = Acks.All, Mode = CapMode.Sloppy });
        Assert.Equal(1, Cluster.Service<HintStore>(Cluster.SiloNamed(standby)).Count);
        var read = await coordinator.Get(RangeOf(key), key, new ReadOptions { Mode = CapMode.Sloppy });

        // What an operator sees (grainkv status) from a node on the healthy side, once its own suspicion has joined
        // the others' (the node is down as soon as any two suspect it).
        var statusGrain = Cluster.Service<IGrainFactory>(Cluster.SiloNamed(top[0])).GetGrain<IClusterStatusGrain>(0);
        await Eventually.HoldsAsync(
            async () => (await statusGrain.GetStatus()).Nodes.Single(n => n.NodeId == top[2]).SuspectedBy.Contains(top[0]),
            Bound,
            $"{top[0]} suspects the cut-off node");
        var status = await statusGrain.GetStatus();
        var cut = Assert.Single(status.Nodes, n => n.NodeId == top[2]);
        Assert.False(cut.IsLive);
        Assert.Equal("down", cut.Gossip);
        Assert.All(status.Nodes.Where(n => n.NodeId != top[2]), n => Assert.Equal("up", n.Gossip));
        Assert.Equal("written-while-cut-off", Text(Assert.Single(read.Values)));

        // Healed: the standby hands the copy to the replica it stood in for and forgets it.
        Heal();
        await AwaitLiveAsync(top[2]);
        await Cluster.Service<HintDelivery>(Cluster.SiloNamed(standby)).DeliverAsync();
        Assert.Equal(0, Cluster.Service<HintStore>(Cluster.SiloNamed(standby)).Count);
        var onOwner = await Cluster.Service<LocalReplicas>(Cluster.SiloNamed(top[2])).ReadAsync(RangeOf(key), key);
        Assert.Equal("written-while-cut-off", Text(Assert.Single(onOwner).Value!));
    }

    [Fact]
    public async Task StrictWritesFailAtOnceWhenTooFewOfTheTopReplicasAreReachable()
    {
        var key = Bytes("strict-write");
        var (top, _) = PlacementOf(key);
        await PartitionAsync(top[2]);
        var coordinator = CoordinatorOn(top[0]);

        var refused = await Assert.ThrowsAsync<NotEnoughReplicasException>(() =>
            coordinator.Put(RangeOf(key), key, Bytes("x"), CausalContext.Empty, new WriteOptions { WriteQuorum = Acks.All, Mode = CapMode.Strict }));
        Assert.Equal(3, refused.Required);
        Assert.Equal(2, refused.Answered);
        Assert.Contains("strict mode", refused.Message, StringComparison.Ordinal);
        Assert.False((await coordinator.Get(RangeOf(key), key, new ReadOptions { ReadQuorum = Acks.One, Mode = CapMode.Strict })).Found);

        // A quorum the reachable top replicas can meet still works in strict mode.
        await coordinator.Put(RangeOf(key), key, Bytes("y"), CausalContext.Empty, new WriteOptions { Mode = CapMode.Strict });
        Assert.Equal("y", Text(Assert.Single((await coordinator.Get(RangeOf(key), key, new ReadOptions { Mode = CapMode.Strict })).Values)));
    }

    [Fact]
    public async Task SloppyReadsUseTheStandbysHintsWhenTooFewReplicasAnswer()
    {
        var key = Bytes("sloppy-read");
        var (top, _) = PlacementOf(key);
        await PartitionAsync(top[1], top[2]);
        var coordinator = CoordinatorOn(top[0]);

        await coordinator.Put(RangeOf(key), key, Bytes("held-by-standby"), CausalContext.Empty, new WriteOptions { Mode = CapMode.Sloppy });
        var read = await coordinator.Get(RangeOf(key), key, new ReadOptions { Mode = CapMode.Sloppy });
        Assert.Equal("held-by-standby", Text(Assert.Single(read.Values)));
        await Assert.ThrowsAsync<NotEnoughReplicasException>(() => coordinator.Get(RangeOf(key), key, new ReadOptions { Mode = CapMode.Strict }));
    }

    /// <summary>The key's top three nodes and the node past them.</summary>
    private (string[] Top, string Standby) PlacementOf(byte[] key)
    {
        var view = Cluster.Service<RingService>(Cluster.Cluster.Silos[0]).Current;
        var top = view.PreferenceList(RangeOf(key), 3).ToArray();
        return (top, view.Standbys(RangeOf(key), 3)[0]);
    }

    /// <summary>The key's coordinator on <paramref name="node"/> (a stateless worker called from that node's silo).</summary>
    private IKeyRangeGrain CoordinatorOn(string node) =>
        EntryGrains.KeyRangeGrainOf(Cluster.Service<IGrainFactory>(Cluster.SiloNamed(node)));

    /// <summary>Cuts <paramref name="cutOff"/> from every other node, both ways (gossip and replica calls), and waits until
    /// every other node's ring sees them down.</summary>
    private async Task PartitionAsync(params string[] cutOff)
    {
        var silos = Cluster.Cluster.Silos;
        foreach (var a in silos)
        {
            foreach (var b in silos.Where(b => b != a && (cutOff.Contains(a.Name) != cutOff.Contains(b.Name))))
            {
                _heal.Add(Cluster.CutOff(a, b));
            }
        }

        await Eventually.HoldsAsync(
            () => silos.Where(s => !cutOff.Contains(s.Name)).All(s => cutOff.All(n => !Cluster.Service<RingService>(s).Current.IsLive(n))),
            Bound,
            "the other nodes see the cut-off nodes down");
    }

    private void Heal()
    {
        foreach (var heal in _heal)
        {
            heal();
        }

        _heal.Clear();
    }

    private Task AwaitLiveAsync(params string[] nodes) => Eventually.HoldsAsync(
        () => Cluster.Cluster.Silos.All(s => nodes.All(n => Cluster.Service<RingService>(s).Current.IsLive(n))),
        Bound,
        "every node sees the healed nodes live");

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
