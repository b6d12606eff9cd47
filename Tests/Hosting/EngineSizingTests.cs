// The engine's memory settings come from the node's options (GrainKV:MemTableSize, GrainKV:BlockCacheSize): a small
// memtable is flushed to a table as soon as it fills, and a cache of size 0 keeps no block a read brought in.

using GrainKV.Grains.Replicas;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.Hosting;

public sealed class EngineSizingTests
{
    [Fact]
    public async Task TheEngineTakesItsMemTableAndBlockCacheSizesFromTheNodeOptions()
    {
        const long memTableSize = 1024 * 1024;
        await using var cluster = await GrainKvCluster.StartAsync(1, o =>
        {
            (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1);
            (o.MemTableSize, o.BlockCacheSize) = (memTableSize, 0);
        });
        var silo = cluster.Cluster.Silos[0];
        var replicas = cluster.Service<LocalReplicas>(silo);
        var engine = cluster.Service<LocalStore>(silo).Engine;

        // Twice the memtable's size: the engine's default memtable (32 MiB) would hold all of it.
        var value = new byte[64 * 1024];
        var keys = Enumerable.Range(0, 2 * (int)(memTableSize / value.Length)).Select(i => BitConverter.GetBytes(i)).ToList();
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            await replicas.ApplyAsync(0, key, [new StoredVersion("sizing/1", (ulong)i + 1, VectorClock.Empty, 1, value)]);
        }

        await Eventually.HoldsAsync(() => engine.GetStatistics().Flushes >= 1, TimeSpan.FromSeconds(30), "the small memtable was flushed");
        await Eventually.HoldsAsync(() => engine.GetStatistics().ImmutableMemTables == 0, TimeSpan.FromSeconds(30), "every full memtable was flushed");

        // The first key is in a table by now; reading it goes through the block cache, which keeps nothing at size 0.
        var read = await replicas.ReadAsync(0, keys[0]);
        Assert.Equal(value, Assert.Single(read).Value);
        var statistics = engine.GetStatistics();
        Assert.True(statistics.CacheMisses >= 1, "the read went to a table");
        Assert.Equal(0, statistics.CacheBytes);
    }
}
