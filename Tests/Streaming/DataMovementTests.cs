// How much data a ring change moves, counted on the data itself (the streaming counters of each node and the keys
// each node's engine holds), not on ring arithmetic: a fourth node joining three moves at most 1.15x the ideal
// quarter of the replicas, all to the new node; a node leaving moves exactly its own replicas, each to one node.

using System.Text;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Grains.Streaming;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace GrainKV.Tests.Streaming;

public sealed class DataMovementTests(ITestOutputHelper output)
{
    private const int Keys = 3_000;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AFourthNodeReceivesAtMostItsShareAndNoOtherNodeReceivesAnything()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3);
        await WriteAsync(cluster, Keys);
        await WaitForSettledAsync(cluster, [.. cluster.Cluster.Silos], 3, Keys); // every third copy landed
        var before = cluster.Cluster.Silos.ToDictionary(s => s.Name, s => (Received: cluster.Service<StreamingCounters>(s).KeysReceived, Held: HeldKeys(cluster, s)));

        var added = await cluster.Cluster.StartAdditionalSiloAsync();
        var silos = cluster.Cluster.Silos.ToList();
        await WaitForSettledAsync(cluster, silos, 4, Keys);

        var moved = cluster.Service<StreamingCounters>(added).KeysAdded;
        var ideal = Keys * 3 / 4.0;
        output.WriteLine($"the new node received {moved} key replicas by streaming: {moved / ideal:0.000}x the ideal {ideal}");
        Assert.True(moved > 0 && moved <= 1.15 * ideal, $"the new node received {moved} key replicas; the ideal share is {ideal}");
        Assert.Equal(HeldKeys(cluster, added).Count, moved);
        foreach (var silo in silos.Where(s => s != added))
        {
            Assert.Equal(before[silo.Name].Received, cluster.Service<StreamingCounters>(silo).KeysReceived);
            Assert.Subset(before[silo.Name].Held, HeldKeys(cluster, silo));
        }
    }

    [Fact]
    public async Task ADecommissionedNodesReplicasMoveEachToOneNodeAndNothingElseMoves()
    {
        await using var cluster = await GrainKvCluster.StartAsync(4);
        await WriteAsync(cluster, Keys);
        var silos = cluster.Cluster.Silos.ToList();
        await WaitForSettledAsync(cluster, silos, 4, Keys); // every third copy landed
        var leaving = silos[^1];
        var leavingKeys = HeldKeys(cluster, leaving);
        var before = silos.ToDictionary(s => s.Name, s => (Added: cluster.Service<StreamingCounters>(s).KeysAdded, Held: HeldKeys(cluster, s)));

        await cluster.Client.DecommissionNodeAsync(leaving.Name);
        silos.Remove(leaving);
        await WaitForSettledAsync(cluster, silos, 3, Keys);

        long moved = 0;
        foreach (var silo in silos)
        {
            var gained = HeldKeys(cluster, silo);
            gained.ExceptWith(before[silo.Name].Held);
            Assert.Subset(leavingKeys, gained);
            Assert.Equal(gained.Count, cluster.Service<StreamingCounters>(silo).KeysAdded - before[silo.Name].Added);
            moved += gained.Count;
        }

        output.WriteLine($"the leaving node held {leavingKeys.Count} key replicas; the others gained {moved}");
        Assert.Equal(leavingKeys.Count, moved);
        Assert.Empty(HeldKeys(cluster, leaving));
    }

    /// <summary>Writes <paramref name="count"/> keys. A put returns after W=2 acknowledgements, so the third copy of a
    /// key may land (or arrive as a hint) later: callers wait for <see cref="WaitForSettledAsync"/> before counting.</summary>
    private static async Task WriteAsync(GrainKvCluster cluster, int count) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await cluster.Client.PutAsync($"moved-{i}", "value"));

    /// <summary>The keys (user keys) of every range this node's engine holds.</summary>
    public static HashSet<string> HeldKeys(GrainKvCluster cluster, InProcessSiloHandle silo) =>
        cluster.Service<LocalStore>(silo).Engine.Scan(StorageKeys.RangeStart(0), StorageKeys.RangeEnd(KeyPartitioner.DefaultRangeCount - 1))
            .Select(e => Encoding.UTF8.GetString(StorageKeys.UserKey(e.Key)))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Waits until every silo sees <paramref name="nodes"/> live nodes and no transition, and the copies of all
    /// <paramref name="keys"/> keys add up to N per key on the nodes of the ring (transfers and deletions done).</summary>
    private static Task WaitForSettledAsync(GrainKvCluster cluster, List<InProcessSiloHandle> silos, int nodes, int keys) => Eventually.HoldsAsync(
        () => silos.All(s => cluster.Service<RingService>(s).Current is { HasTransition: false } view && view.Nodes.Count == nodes && view.Nodes.Values.All(n => n.IsLive))
              && silos.Sum(s => HeldKeys(cluster, s).Count) == keys * 3
              && cluster.Cluster.Silos.Where(s => !silos.Contains(s)).All(s => HeldKeys(cluster, s).Count == 0),
        Bound,
        $"the ring settled on {nodes} nodes holding {keys} keys three times over");
}
