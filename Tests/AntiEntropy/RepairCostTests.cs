// What repairing 1 % divergence costs against copying the whole range: three nodes, one range of
// GRAINKV_AE_REPAIR_KEYS keys (default 5,000; docs/ANTI_ENTROPY.md has the figures for 100,000) with 100-byte
// values, trees of GRAINKV_AE_LEAVES leaves (default 1,024); 1 % of the keys missing on one replica. Reports version
// sets and bytes moved (the product's counters) beside the bytes of a full copy, and the time the repairing exchange
// took; asserts only the counts (every divergent key repaired, at most 3 version sets moved per divergent key).

using System.Diagnostics;
using System.Text;
using GrainKV.AntiEntropy;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Xunit.Abstractions;

namespace GrainKV.Tests.AntiEntropy;

public sealed class RepairCostTests(ITestOutputHelper output)
{
    private const int Ranges = 2;

    [Fact]
    public async Task OnePercentDivergenceCostsAFractionOfAFullCopy()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("GRAINKV_AE_REPAIR_KEYS"), out var n) ? n : 5_000;
        var leaves = int.TryParse(Environment.GetEnvironmentVariable("GRAINKV_AE_LEAVES"), out var l) ? l : 1024;
        await using var cluster = await GrainKvCluster.StartAsync(3, o =>
        {
            o.RangeCount = Ranges;
            o.Durability = GrainKV.Storage.LogDurability.Buffered;
            o.AntiEntropy.Leaves = leaves;
            o.AntiEntropy.MaxBytesPerSecond = 1L << 40;
        });
        var names = cluster.Cluster.Silos.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        var keys = Enumerable.Range(0, int.MaxValue).Select(i => Encoding.UTF8.GetBytes($"repair-{i:D8}")).Where(k => KeyPartitioner.RangeOf(k, Ranges) == 0).Take(count).ToArray();
        var value = new byte[100];
        var sets = keys.Select((_, i) => new[] { new StoredVersion("writer-repair/1", (ulong)i + 1, VectorClock.Empty, 1, value) }).ToArray();
        var divergent = new HashSet<int>(Enumerable.Range(0, count).Where(i => i % 100 == 7));
        foreach (var (node, skip) in names.Select((name, i) => (name, i == 2)))
        {
            var replicas = cluster.Service<LocalReplicas>(cluster.SiloNamed(node));
            for (var start = 0; start < count; start += 256)
            {
                await Task.WhenAll(Enumerable.Range(start, Math.Min(256, count - start))
                    .Where(i => !(skip && divergent.Contains(i)))
                    .Select(i => replicas.ApplyAsync(0, keys[i], sets[i]).AsTask()));
            }
        }

        var fullCopy = keys.Select((k, i) => (long)k.Length + VersionSetCodec.Encode(sets[i]).Length).Sum();
        var build = Stopwatch.StartNew();
        await Task.WhenAll(cluster.Cluster.Silos.Select(s => cluster.Service<GrainKV.Grains.AntiEntropy.LocalTrees>(s).ReadyTreeAsync(0)));
        build.Stop();
        var exchanges = cluster.Grains.GetGrain<IAntiEntropyGrain>(0);
        var timer = Stopwatch.StartNew();
        var repair = await exchanges.ExchangeNow();
        timer.Stop();
        var identical = await exchanges.ExchangeNow();

        output.WriteLine(
            $"{count} keys, {leaves} leaves, {divergent.Count} divergent: {repair.LeavesDiffering} leaves differ, {repair.HashesCompared} hashes, " +
            $"{repair.KeysRepaired} repaired, {repair.VersionSetsMoved} version sets and {repair.BytesMoved} bytes moved in {timer.Elapsed.TotalMilliseconds:F0} ms " +
            $"(the three trees built before it in {build.Elapsed.TotalMilliseconds:F0} ms); a full copy of the range to one replica: {count} sets, {fullCopy} bytes; the next exchange: {identical.BytesMoved} bytes");
        Assert.Equal(divergent.Count, repair.KeysRepaired);
        Assert.InRange(repair.VersionSetsMoved, divergent.Count, 3 * divergent.Count);
        Assert.Equal(3, identical.HashesCompared);
    }
}
