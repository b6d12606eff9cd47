// Elastic membership on an in-process cluster, checked on the data the replicas hold. Keys are written at N=3/W=2,
// then the ring changes: a node joins (keys are written while it bootstraps), one is decommissioned, a stopped one
// is removed, and every node is restarted in turn. After each step: every acknowledged key reads back at R=2,
// every key is held by exactly the N nodes of its range's preference list (read from each node's own engine), and
// so no node holds a key of a range it no longer owns.

using System.Collections.Concurrent;
using System.Text;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Grains.Streaming;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace GrainKV.Tests.Streaming;

public sealed class ElasticClusterTests(ITestOutputHelper output)
{
    private const int Keys = 20_000;
    private const int Parallelism = 32;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task JoinDecommissionRemoveAndRollingRestartKeepEveryKeyOnExactlyItsReplicas()
    {
        await using var cluster = await GrainKvCluster.StartAsync(4, o => o.Streaming.MaxBytesPerSecond = 256L * 1024 * 1024);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var silos = cluster.Cluster.Silos.ToList();
        var written = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await WriteAsync(cluster, written, "before", Keys);
        output.WriteLine($"{clock.Elapsed}: {Keys} keys written");
        await CheckAsync(cluster, silos, written, 4, "after the initial writes");

        // A fifth node joins; writes go on while it streams its ranges.
        var joinWrites = WriteAsync(cluster, written, "during-join", 2_000);
        var added = await cluster.Cluster.StartAdditionalSiloAsync();
        silos.Add(added);
        await joinWrites;
        await CheckAsync(cluster, silos, written, 5, $"after node {added.Name} joined");
        Assert.True(cluster.Service<StreamingCounters>(added).KeysAdded > 0, "the new node received keys by streaming");

        // A live node is decommissioned, then stopped.
        var leaving = silos[1];
        await cluster.Client.DecommissionNodeAsync(leaving.Name);
        await CheckAsync(cluster, silos, written, 4, $"after node {leaving.Name} was decommissioned");
        await cluster.Cluster.StopSiloAsync(leaving);
        silos.Remove(leaving);

        // A node is stopped (it stays on the ring, down), then removed: its ranges are re-replicated from the others.
        var dead = silos[2];
        await cluster.Cluster.StopSiloAsync(dead);
        silos.Remove(dead);
        await cluster.WaitForRingAsync(4, 3);
        await cluster.Client.RemoveNodeAsync(dead.Name);
        await CheckAsync(cluster, silos, written, 3, $"after node {dead.Name} was removed");

        // Rolling restart: each node stopped and started again in turn (under its instance number: its name and data).
        // TestingHost does not track a silo started this way, so the test stops it at the end.
        var restarted = new List<InProcessSiloHandle>();
        try
        {
            foreach (var silo in silos.ToArray())
            {
                await cluster.Cluster.StopSiloAsync(silo);
                silos.Remove(silo);
                await WaitForLiveAsync(cluster, silos, 2);
                var back = await cluster.Cluster.StartSiloAsync(silo.InstanceNumber, cluster.Cluster.Options);
                restarted.Add(back);
                silos.Add(back);
                await WaitForLiveAsync(cluster, silos, 3);
            }

            await CheckAsync(cluster, silos, written, 3, "after a rolling restart");
        }
        finally
        {
            foreach (var silo in restarted)
            {
                await cluster.Cluster.StopSiloAsync(silo);
            }
        }
    }

    private Task WaitForLiveAsync(GrainKvCluster cluster, List<InProcessSiloHandle> silos, int live) => Eventually.HoldsAsync(
        () => silos.All(s => cluster.Service<RingService>(s).Current.Nodes.Values.Count(n => n.IsLive) == live),
        Bound,
        $"every running silo sees {live} live nodes");

    private static async Task WriteAsync(GrainKvCluster cluster, ConcurrentDictionary<string, string> written, string prefix, int count)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var key = $"{prefix}-{i}";
            var value = $"value-of-{key}";
            await cluster.Client.PutAsync(key, value, options: new WriteOptions { WriteQuorum = Acks.Quorum });
            written[key] = value;
        });
    }

    /// <summary>Waits until the ring has <paramref name="nodes"/> settled nodes and every key sits on exactly its
    /// replicas, then checks that and reads every key back at R=2.</summary>
    private async Task CheckAsync(GrainKvCluster cluster, List<InProcessSiloHandle> silos, ConcurrentDictionary<string, string> written, int nodes, string step)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? problem = null;
        var placementCheckedAt = TimeSpan.FromSeconds(-1);
        await Eventually.HoldsAsync(
            () =>
            {
                problem = Settled(cluster, silos, nodes);
                if (problem is null && clock.Elapsed - placementCheckedAt > TimeSpan.FromSeconds(1))
                {
                    // Reading every engine is not free: at most once a second.
                    placementCheckedAt = clock.Elapsed;
                    problem = Placement(cluster, silos, written);
                    return problem is null;
                }

                return false;
            },
            Bound,
            $"{step}: ring settled on {nodes} nodes and every key on exactly its N replicas (last problem: {problem})");

        var wrong = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(written, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pair, _) =>
        {
            var result = await cluster.Client.GetAsync(pair.Key, new ReadOptions { ReadQuorum = Acks.Quorum });
            if (!result.Found || result.Values.Count != 1 || Encoding.UTF8.GetString(result.Values[0]) != pair.Value)
            {
                wrong.Enqueue(pair.Key);
            }
        });
        Assert.True(wrong.IsEmpty, $"{step}: {wrong.Count} of {written.Count} acknowledged keys did not read back at R=2, e.g. {string.Join(", ", wrong.Take(5))}");
        output.WriteLine($"{step}: settled and checked in {clock.Elapsed}");
    }

    private static string? Settled(GrainKvCluster cluster, List<InProcessSiloHandle> silos, int nodes)
    {
        foreach (var silo in silos)
        {
            var view = cluster.Service<RingService>(silo).Current;
            if (view.Nodes.Count != nodes || view.HasTransition || view.Nodes.Values.Any(n => !n.IsLive))
            {
                return $"{silo.Name} sees {view.Nodes.Count} nodes ({view.Record}), transition {view.HasTransition}";
            }
        }

        return null;
    }

    /// <summary>Null when every written key is held by exactly its range's preference list (read from each node's
    /// engine); otherwise the first difference.</summary>
    private static string? Placement(GrainKvCluster cluster, List<InProcessSiloHandle> silos, ConcurrentDictionary<string, string> written)
    {
        var view = cluster.Service<RingService>(silos[0]).Current;
        var holders = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var silo in silos)
        {
            var store = cluster.Service<LocalStore>(silo);
            foreach (var (engineKey, _) in store.Engine.Scan(StorageKeys.RangeStart(0), StorageKeys.RangeEnd(KeyPartitioner.DefaultRangeCount - 1)))
            {
                var key = Encoding.UTF8.GetString(StorageKeys.UserKey(engineKey));
                if (!holders.TryGetValue(key, out var list))
                {
                    holders[key] = list = [];
                }

                list.Add(silo.Name);
            }
        }

        foreach (var key in written.Keys)
        {
            var expected = view.PreferenceList(RangeOf(key), 3).Order(StringComparer.Ordinal);
            var actual = holders.GetValueOrDefault(key) ?? [];
            if (!expected.SequenceEqual(actual.Order(StringComparer.Ordinal)))
            {
                return $"key {key} is on [{string.Join(",", actual.Order())}], its replicas are [{string.Join(",", expected)}]";
            }
        }

        var stray = holders.Keys.FirstOrDefault(k => !written.ContainsKey(k));
        return stray is null ? null : $"key {stray} was never acknowledged but is stored";
    }

    private static int RangeOf(string key) => KeyPartitioner.RangeOf(Encoding.UTF8.GetBytes(key), KeyPartitioner.DefaultRangeCount);
}
