// A rolling restart moves nothing: a node stopped gracefully keeps its place on the ring (not live) instead of
// leaving it, so the copies it misses while it is down wait for it as hints and reach it when it is back, and a
// quorum read after the restart finds every acknowledged write on the key's own replicas. (When a graceful stop
// left the ring, the keys written meanwhile went to a temporary owner and the returning node never got them.)

using System.Text;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Cluster;

public sealed class RollingRestartTests
{
    private const int Keys = 60;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ANodeRestartedGracefullyGetsTheWritesItMissedAndKeepsItsRanges()
    {
        await using var cluster = await GrainKvCluster.StartAsync(4);
        var stopped = cluster.Cluster.Silos[^1];
        var name = stopped.Name;
        var ring = cluster.Service<RingService>(cluster.Cluster.Silos[0]);
        var before = Enumerable.Range(0, KeyPartitioner.DefaultRangeCount).Select(r => string.Join(",", ring.Current.PreferenceList(r, 3))).ToArray();

        await cluster.Cluster.StopSiloAsync(stopped);
        await cluster.WaitForRingAsync(4, 3);
        Assert.Equal(before, Enumerable.Range(0, KeyPartitioner.DefaultRangeCount).Select(r => string.Join(",", ring.Current.PreferenceList(r, 3))));

        // Written while the node is down: W=2 of the key's three replicas (the node among them for some keys).
        var keys = Enumerable.Range(0, Keys).Select(i => $"rolling-{i}").ToArray();
        foreach (var key in keys)
        {
            await cluster.Client.PutAsync(key, "written-while-down");
        }

        var mine = keys.Where(k => ring.Current.PreferenceList(RangeOf(k), 3).Contains(name)).ToArray();
        Assert.NotEmpty(mine);

        // Started again under its instance number, so with its name and data directory. (TestingHost's own
        // RestartStoppedSecondarySiloAsync cannot find a stopped silo; this one is stopped by the test itself.)
        var back = await cluster.Cluster.StartSiloAsync(stopped.InstanceNumber, cluster.Cluster.Options);
        await using var stopBack = new AsyncCleanup(() => cluster.Cluster.StopSiloAsync(back));
        Assert.Equal(name, back.Name);
        await Eventually.HoldsAsync(
            () => cluster.Cluster.Silos.Append(back).All(s => cluster.Service<RingService>(s).Current.Nodes.Values.Count(n => n.IsLive) == 4),
            Bound,
            "every silo sees the four nodes live");
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var key in mine)
                {
                    var bytes = Encoding.UTF8.GetBytes(key);
                    if ((await cluster.Service<LocalReplicas>(back).ReadAsync(RangeOf(key), bytes)).Length == 0)
                    {
                        return false;
                    }
                }

                return true;
            },
            Bound,
            $"node {name} holds, on its own replica, the {mine.Length} keys of its ranges written while it was down");

        // Every key at R = ALL. (On a loaded machine gossip may hold a node suspect for a moment, and a read at ALL
        // then fails at once: such a read is asked again, within the bound.)
        foreach (var key in keys)
        {
            string? value = null;
            await Eventually.HoldsAsync(
                async () =>
                {
                    try
                    {
                        value = Encoding.UTF8.GetString((await cluster.Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Value);
                        return true;
                    }
                    catch (NotEnoughReplicasException)
                    {
                        return false;
                    }
                },
                Bound,
                $"{key} read at R = ALL");
            Assert.Equal("written-while-down", value);
        }
    }

    private sealed class AsyncCleanup(Func<Task> cleanup) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await cleanup();
    }

    private static int RangeOf(string key) => KeyPartitioner.RangeOf(Encoding.UTF8.GetBytes(key), KeyPartitioner.DefaultRangeCount);
}
