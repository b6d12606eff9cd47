// Two datacenters on a six-node in-process cluster (Silo_0..2 in dc1, Silo_3..5 in dc2; N=3 placed dc1:2,dc2:1):
// every key's replicas, found on the nodes' own stores, are two in dc1 and one in dc2, exactly the ring's list.
// With the datacenters partitioned (gossip and replica calls between them dropped both ways, so each side sees
// the other down), LOCAL_QUORUM reads and writes succeed on both sides, and EACH_QUORUM fails at once with
// DatacenterQuorumException, having sent nothing.

using System.Diagnostics;
using System.Text;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Xunit.Abstractions;

namespace GrainKV.Tests.Cluster;

/// <summary>Six nodes, three per datacenter, N=3 as dc1:2,dc2:1 (kept lean: 64 ranges, no hint delivery).</summary>
public sealed class TwoDatacenterClusterFixture : IAsyncLifetime
{
    public const int RangeCount = 64;

    public GrainKvCluster Cluster { get; private set; } = null!;

    public static string DatacenterOf(string siloName) => int.Parse(siloName["Silo_".Length..], System.Globalization.CultureInfo.InvariantCulture) < 3 ? "dc1" : "dc2";

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(6, o =>
    {
        o.Datacenter = DatacenterOf(o.NodeId!);
        o.DatacenterReplication = "dc1:2,dc2:1";
        o.RangeCount = RangeCount;
        o.RequestTimeout = TimeSpan.FromSeconds(20);
        o.ReadRepairChance = 0;
        o.HintDeliveryInterval = TimeSpan.FromHours(1);
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class MultiDatacenterTests(TwoDatacenterClusterFixture fixture, ITestOutputHelper output) : IClassFixture<TwoDatacenterClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly List<Action> _heal = [];

    private GrainKvCluster Cluster => fixture.Cluster;

    private IEnumerable<string> SilosIn(string datacenter) =>
        Cluster.Cluster.Silos.Select(s => s.Name).Where(n => TwoDatacenterClusterFixture.DatacenterOf(n) == datacenter);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var heal in _heal)
        {
            heal();
        }

        await Eventually.HoldsAsync(
            () => Cluster.Cluster.Silos.All(s => Cluster.Service<RingService>(s).Current.Nodes.Values.All(n => n.IsLive)),
            Bound,
            "every node sees every node live again");
    }

    [Fact]
    public async Task EveryKeyHasTwoReplicasInDc1AndOneInDc2OnTheNodesStores()
    {
        var coordinatorNode = SilosIn("dc2").First();
        for (var i = 0; i < 48; i++)
        {
            var key = Bytes($"placed-{i}");
            await CoordinatorOn(coordinatorNode).Put(RangeOf(key), key, Bytes($"v{i}"), CausalContext.Empty, new WriteOptions { Consistency = ConsistencyLevel.All });

            var holders = new List<string>();
            foreach (var silo in Cluster.Cluster.Silos)
            {
                if ((await Cluster.Service<LocalReplicas>(silo).ReadAsync(RangeOf(key), key)).Length > 0)
                {
                    holders.Add(silo.Name);
                }
            }

            Assert.Equal(2, holders.Count(h => TwoDatacenterClusterFixture.DatacenterOf(h) == "dc1"));
            Assert.Equal(1, holders.Count(h => TwoDatacenterClusterFixture.DatacenterOf(h) == "dc2"));
            var listed = Cluster.Service<RingService>(Cluster.Cluster.Silos[0]).Current.PreferenceList(RangeOf(key), 3);
            Assert.Equal(listed.Order(StringComparer.Ordinal), holders.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task WithTheDatacentersPartitionedLocalQuorumSucceedsAndEachQuorumFailsAtOnce()
    {
        await PartitionDatacentersAsync();

        foreach (var datacenter in new[] { "dc1", "dc2" })
        {
            var node = SilosIn(datacenter).First();
            var key = Bytes($"local-in-{datacenter}");
            var coordinator = CoordinatorOn(node);
            await coordinator.Put(RangeOf(key), key, Bytes($"written-in-{datacenter}"), CausalContext.Empty, new WriteOptions { Consistency = ConsistencyLevel.LocalQuorum });
            var read = await coordinator.Get(RangeOf(key), key, new ReadOptions { Consistency = ConsistencyLevel.LocalQuorum });
            Assert.Equal($"written-in-{datacenter}", Text(Assert.Single(read.Values)));

            var other = datacenter == "dc1" ? "dc2" : "dc1";
            var fresh = Bytes($"each-from-{datacenter}");
            var elapsed = Stopwatch.StartNew();
            var refused = await Assert.ThrowsAsync<DatacenterQuorumException>(() =>
                CoordinatorOn(node).Put(RangeOf(fresh), fresh, Bytes("x"), CausalContext.Empty, new WriteOptions { Consistency = ConsistencyLevel.EachQuorum }));
            output.WriteLine($"EACH_QUORUM write from {datacenter} refused after {elapsed.Elapsed.TotalMilliseconds:0.0} ms (request timeout 20 s): {refused.Message}");
            Assert.Equal((other, ConsistencyLevel.EachQuorum, true), (refused.Datacenter, refused.Level, refused.KnownBeforehand));

            var refusedRead = await Assert.ThrowsAsync<DatacenterQuorumException>(() =>
                CoordinatorOn(node).Get(RangeOf(key), key, new ReadOptions { Consistency = ConsistencyLevel.EachQuorum }));
            Assert.Equal((other, true), (refusedRead.Datacenter, refusedRead.KnownBeforehand));

            // Nothing of the refused writes reached any replica on this side.
            foreach (var silo in Cluster.Cluster.Silos.Where(s => TwoDatacenterClusterFixture.DatacenterOf(s.Name) == datacenter))
            {
                Assert.Empty(await Cluster.Service<LocalReplicas>(silo).ReadAsync(RangeOf(fresh), fresh));
            }
        }
    }

    [Fact]
    public async Task TheClientLibraryCarriesTheLevelsAndTheTypedErrorAcrossTheWire()
    {
        var client = Cluster.CreateClient(o => o.RangeCount = TwoDatacenterClusterFixture.RangeCount);
        await client.PutAsync("wire", "each", options: new WriteOptions { Consistency = ConsistencyLevel.EachQuorum });
        Assert.Equal("each", Text((await client.GetAsync("wire", new ReadOptions { Consistency = ConsistencyLevel.EachQuorum })).Value));

        await PartitionDatacentersAsync();
        var refused = await Assert.ThrowsAsync<DatacenterQuorumException>(() =>
            client.PutAsync("wire", "again", options: new WriteOptions { Consistency = ConsistencyLevel.EachQuorum }));
        Assert.True(refused.KnownBeforehand);
        Assert.Equal(ConsistencyLevel.EachQuorum, refused.Level);
        Assert.Contains(refused.Datacenter, new[] { "dc1", "dc2" });
        Assert.Equal("each", Text((await client.GetAsync("wire", new ReadOptions { Consistency = ConsistencyLevel.LocalQuorum })).Value));
    }

    /// <summary>The key's coordinator on <paramref name="node"/> (a stateless worker called from that node's silo).</summary>
    private IKeyRangeGrain CoordinatorOn(string node) =>
        EntryGrains.KeyRangeGrainOf(Cluster.Service<IGrainFactory>(Cluster.SiloNamed(node)));

    /// <summary>Drops gossip and replica calls between the datacenters, both ways, and waits until each node sees every
    /// node of the other datacenter down.</summary>
    private async Task PartitionDatacentersAsync()
    {
        var silos = Cluster.Cluster.Silos;
        foreach (var a in silos)
        {
            foreach (var b in silos.Where(b => TwoDatacenterClusterFixture.DatacenterOf(b.Name) != TwoDatacenterClusterFixture.DatacenterOf(a.Name)))
            {
                _heal.Add(Cluster.CutOff(a, b));
            }
        }

        await Eventually.HoldsAsync(
            () => silos.All(s => Cluster.Service<RingService>(s).Current.Nodes.Values.All(n =>
                n.IsLive == (TwoDatacenterClusterFixture.DatacenterOf(n.NodeId) == TwoDatacenterClusterFixture.DatacenterOf(s.Name)))),
            Bound,
            "each node sees its own datacenter live and the other one down");
    }

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, TwoDatacenterClusterFixture.RangeCount);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
