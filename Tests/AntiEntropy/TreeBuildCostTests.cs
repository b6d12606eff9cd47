// What building a range's tree from the engine costs (after a start, on the first exchange): one node, one range
// of GRAINKV_AE_BUILD_KEYS keys (default 20,000; docs/ANTI_ENTROPY.md has the figures for 100,000), half of them
// flushed to tables. Reports the time and how long writes were paused; asserts only that the tree counts every
// key and equals the incrementally maintained one after more writes. No timing assertions.

using System.Diagnostics;
using System.Text;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Xunit.Abstractions;

namespace GrainKV.Tests.AntiEntropy;

public sealed class TreeBuildCostTests(ITestOutputHelper output)
{
    private const int Ranges = 2;

    [Fact]
    public async Task BuildingARangesTreeCountsEveryKey()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("GRAINKV_AE_BUILD_KEYS"), out var n) ? n : 20_000;
        await using var cluster = await GrainKvCluster.StartAsync(1, o =>
        {
            o.RangeCount = Ranges;
            o.Durability = GrainKV.Storage.LogDurability.Buffered;
        });
        var silo = cluster.Cluster.Silos[0];
        var replicas = cluster.Service<LocalReplicas>(silo);
        var keys = Enumerable.Range(0, int.MaxValue).Select(i => Encoding.UTF8.GetBytes($"build-{i:D8}")).Where(k => KeyPartitioner.RangeOf(k, Ranges) == 0).Take(count).ToArray();
        var value = new byte[100];
        var written = Stopwatch.StartNew();
        for (var start = 0; start < keys.Length; start += 256)
        {
            await Task.WhenAll(keys.Skip(start).Take(256).Select((k, i) =>
                replicas.ApplyAsync(0, k, [new StoredVersion("writer-build/1", (ulong)(start + i + 1), VectorClock.Empty, 1, value)]).AsTask()));
            if (start == keys.Length / 2 / 256 * 256)
            {
                await cluster.Service<LocalStore>(silo).Engine.FlushAsync();
            }
        }

        written.Stop();
        var trees = cluster.Service<LocalTrees>(silo);
        var tree = await trees.ReadyTreeAsync(0);
        output.WriteLine($"{count} keys written in {written.Elapsed.TotalMilliseconds:F0} ms; tree built in {tree.LastBuild.Total.TotalMilliseconds:F1} ms, writes paused {tree.LastBuild.WritesPaused.TotalMilliseconds:F2} ms");
        Assert.Equal(count, tree.Keys);

        // One more version of a tenth of the keys, through the tracking tree.
        await Task.WhenAll(keys.Where((_, i) => i % 10 == 0).Select((k, i) =>
            replicas.ApplyAsync(0, k, [new StoredVersion("writer-build/2", (ulong)i + 1, VectorClock.Empty, 1, value)]).AsTask()));
        var incremental = (await trees.HashesAsync(0, [1]))[0];
        var scratch = new MerkleTree(cluster.Service<RangeTrees>(silo).Leaves);
        foreach (var (engineKey, stored) in cluster.Service<LocalStore>(silo).Engine.Scan(StorageKeys.RangeStart(0), StorageKeys.RangeEnd(0)))
        {
            scratch.Update(StorageKeys.UserKey(engineKey), null, MerkleTree.Digest(StorageKeys.UserKey(engineKey), VersionSetCodec.Decode(stored)));
        }

        Assert.Equal(scratch.Root, incremental);
        Assert.Equal(count, tree.Keys);
    }

    [Fact]
    public async Task ATreeBuiltWhileItsRangeIsWrittenEqualsTheRangesContents()
    {
        await using var cluster = await GrainKvCluster.StartAsync(1, o =>
        {
            o.RangeCount = Ranges;
            o.Durability = GrainKV.Storage.LogDurability.Buffered;
        });
        var silo = cluster.Cluster.Silos[0];
        var replicas = cluster.Service<LocalReplicas>(silo);
        var keys = Enumerable.Range(0, int.MaxValue).Select(i => Encoding.UTF8.GetBytes($"race-{i:D8}")).Where(k => KeyPartitioner.RangeOf(k, Ranges) == 0).Take(4_000).ToArray();
        var value = new byte[100];

        // Four writers give every key three versions in turn while the tree is built in the middle of it.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var round = 1; round <= 3; round++)
            {
                for (var i = w; i < keys.Length; i += 4)
                {
                    await replicas.ApplyAsync(0, keys[i], [new StoredVersion($"writer-race/{round}", (ulong)i + 1, VectorClock.Empty, round, value)]);
                    if (round == 1 && i > keys.Length / 2)
                    {
                        started.TrySetResult();
                    }
                }
            }
        })).ToArray();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var trees = cluster.Service<LocalTrees>(silo);
        await trees.ReadyTreeAsync(0);
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(120));

        var incremental = (await trees.HashesAsync(0, [1]))[0];
        var scratch = new MerkleTree(cluster.Service<RangeTrees>(silo).Leaves);
        foreach (var (engineKey, stored) in cluster.Service<LocalStore>(silo).Engine.Scan(StorageKeys.RangeStart(0), StorageKeys.RangeEnd(0)))
        {
            scratch.Update(StorageKeys.UserKey(engineKey), null, MerkleTree.Digest(StorageKeys.UserKey(engineKey), VersionSetCodec.Decode(stored)));
        }

        Assert.Equal(scratch.Root, incremental);
        Assert.Equal(keys.Length, (await trees.ReadyTreeAsync(0)).Keys);
    }
}
