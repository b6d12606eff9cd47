// `GrainKV.Bench repair`: what anti-entropy moves to repair a diverged range, against copying the whole range.
// Three in-process silos (Orleans' TestingHost, each with its own engine in a temporary directory), two ranges, one
// of them loaded with --keys keys of --value-size bytes on every replica except that --divergence percent of the
// keys are left out on one replica; then one exchange of that range, and one more (which should find nothing).
// Reported per run and as medians: leaves and keys that differed, version sets and bytes moved (the product's own
// counts), the bytes of a full copy of the range to one replica, the exchange's time, and the trees' build time.

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using GrainKV.AntiEntropy;
using GrainKV.Bench.Arguments;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace GrainKV.Bench.AntiEntropy;

internal static class RepairCommand
{
    private const int Ranges = 2;
    private const int LoadBatch = 256;

    public static Command Create()
    {
        var keys = BenchOption.Int("--keys", 100_000, "keys in the range", minimum: 100);
        var valueSize = BenchOption.Int("--value-size", 100, "value size in bytes");
        var divergence = BenchOption.Double("--divergence", 1, "percent of keys missing on one replica, in (0, 100]", 0, 100);
        var leaves = BenchOption.Int("--leaves", 1024, "Merkle tree leaves per range");
        var runs = BenchOption.Int("--runs", 3, "repeats; medians reported");
        var command = new Command("repair", "anti-entropy repair of one diverged range vs a full copy (3 in-process silos)")
        {
            keys, valueSize, divergence, leaves, runs,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(keys), parse.GetValue(valueSize), parse.GetValue(divergence), parse.GetValue(leaves), parse.GetValue(runs), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int keys, int valueSize, double divergence, int leaves, int runs, CancellationToken cancellationToken)
    {
        var results = new List<Run>();
        for (var run = 1; run <= runs; run++)
        {
            var result = await RunOnceAsync(keys, valueSize, divergence, leaves, cancellationToken);
            results.Add(result);
            Console.WriteLine(result.Line(run));
        }

        var median = new Run(
            results[0].Divergent, Median(results, r => r.LeavesDiffering), Median(results, r => r.KeysRepaired), Median(results, r => r.SetsMoved),
            Median(results, r => r.BytesMoved), results[0].FullCopyBytes, Median(results, r => r.ExchangeMs), Median(results, r => r.BuildMs),
            Median(results, r => r.NextExchangeBytes));
        Console.WriteLine($"{keys} keys, {valueSize} B values, {leaves} leaves, {divergence.ToString(CultureInfo.InvariantCulture)} % divergent on one replica; median of {runs}:");
        Console.WriteLine(median.Line(run: null));
        return 0;
    }

    private static async Task<Run> RunOnceAsync(int count, int valueSize, double divergence, int leaves, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), $"grainkv-repair-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) => silo.AddGrainKv(o =>
        {
            o.NodeId = options.SiloName;
            o.DataDirectory = Path.Combine(root, options.SiloName);
            o.RangeCount = Ranges;
            o.Durability = GrainKV.Storage.LogDurability.Buffered;
            o.AntiEntropy.AutomaticExchanges = false;
            o.AntiEntropy.Leaves = leaves;
            o.AntiEntropy.MaxBytesPerSecond = 1L << 40;
        }));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            var silos = cluster.Silos.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
            var keys = Enumerable.Range(0, int.MaxValue).Select(i => Encoding.UTF8.GetBytes($"repair-{i:D9}"))
                .Where(k => KeyPartitioner.RangeOf(k, Ranges) == 0).Take(count).ToArray();
            var value = new byte[valueSize];
            Random.Shared.NextBytes(value);
            var sets = keys.Select((_, i) => new[] { new StoredVersion("bench-writer/1", (ulong)i + 1, VectorClock.Empty, 1, value) }).ToArray();
            var every = (int)Math.Round(100 / divergence);
            var divergent = Enumerable.Range(0, count).Where(i => i % every == every / 2).ToHashSet();
            for (var s = 0; s < silos.Length; s++)
            {
                var replicas = silos[s].ServiceProvider.GetRequiredService<LocalReplicas>();
                var skip = s == silos.Length - 1;
                for (var start = 0; start < count; start += LoadBatch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await Task.WhenAll(Enumerable.Range(start, Math.Min(LoadBatch, count - start))
                        .Where(i => !(skip && divergent.Contains(i)))
                        .Select(i => replicas.ApplyAsync(0, keys[i], sets[i]).AsTask()));
                }
            }

            var fullCopy = keys.Select((k, i) => (long)k.Length + VersionSetCodec.Encode(sets[i]).Length).Sum();
            var build = Stopwatch.StartNew();
            await Task.WhenAll(silos.Select(s => s.ServiceProvider.GetRequiredService<LocalTrees>().ReadyTreeAsync(0)));
            build.Stop();
            var exchange = cluster.Client.GetGrain<IAntiEntropyGrain>(0);
            var timer = Stopwatch.StartNew();
            var repair = await exchange.ExchangeNow();
            timer.Stop();
            var next = await exchange.ExchangeNow();
            return new Run(
                divergent.Count, repair.LeavesDiffering, repair.KeysRepaired, repair.VersionSetsMoved, repair.BytesMoved, fullCopy,
                timer.Elapsed.TotalMilliseconds, build.Elapsed.TotalMilliseconds, next.BytesMoved);
        }
        finally
        {
            await cluster.DisposeAsync();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static double Median(List<Run> runs, Func<Run, double> of)
    {
        var sorted = runs.Select(of).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Run(
        double Divergent, double LeavesDiffering, double KeysRepaired, double SetsMoved, double BytesMoved, double FullCopyBytes,
        double ExchangeMs, double BuildMs, double NextExchangeBytes)
    {
        public string Line(int? run) => string.Create(CultureInfo.InvariantCulture,
            $"{(run is { } r ? $"run {r}" : "median")}: {Divergent:0} divergent keys, {LeavesDiffering:0} leaves differed, {KeysRepaired:0} keys repaired, "
            + $"{SetsMoved:0} version sets and {BytesMoved / 1e6:0.00} MB moved vs {FullCopyBytes / 1e6:0.00} MB for a full copy "
            + $"({BytesMoved / FullCopyBytes:P1}); exchange {ExchangeMs:0} ms, trees built in {BuildMs:0} ms; next exchange {NextExchangeBytes:0} B");
    }
}
