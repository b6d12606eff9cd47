// `GrainKV.Bench cluster`: YCSB-style workloads against GrainKV (3 silo processes, N=3/W=2/R=2 and N=1)
// and Redis (single node; primary + 2 replicas with WAIT 1), one target group at a time, with one driver.
// Each group's servers are started here, loaded with --records records, driven through every
// workload × concurrency × repeat cell, and stopped (killed) before the next group, even on failure.

using System.CommandLine;
using System.Globalization;
using GrainKV.Bench.Progress;
using GrainKV.Client;

namespace GrainKV.Bench.Cluster;

internal static class ClusterCommand
{
    private const int LoadConcurrency = 32;

    public static Command Create()
    {
        var arguments = new ClusterBenchArguments();
        var command = new Command("cluster", "YCSB-style workloads against a 3-silo GrainKV cluster and Redis, side by side");
        arguments.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(arguments.Bind(parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ClusterBenchOptions options, CancellationToken cancellationToken)
    {
        var runDir = Path.GetFullPath(Path.Combine(options.Out, DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-cluster"));
        var dataRoot = Path.Combine(runDir, "data");
        var random = new Random(options.Seed);
        var values = Enumerable.Range(0, 16).Select(_ => { var v = new byte[options.ValueSize]; random.NextBytes(v); return v; }).ToList();
        var raw = new List<CellResult>();
        var failures = new List<string>();
        Console.WriteLine($"cluster bench: targets {string.Join(",", options.Targets)}; workloads {string.Join(",", options.Workloads.Select(w => w.Name))}; " +
            $"concurrency {string.Join(",", options.Concurrency)}; {options.Records} records of {options.ValueSize} B; {options.Warmup.TotalSeconds}+{options.Duration.TotalSeconds} s per cell; {Environment.ProcessorCount} cores shared by servers and driver");
        try
        {
            var grainKv = options.Targets.Where(ClusterBenchOptions.ThreeSiloTargets.Contains).ToList();
            if (grainKv.Count > 0)
            {
                await RunGroupAsync("grainkv", failures, async () =>
                {
                    await using var cluster = await SiloCluster.StartAsync(options, dataRoot, cancellationToken);
                    await using var client = await GrainKvClient.ConnectAsync(
                        new GrainKvClientOptions { Gateways = [.. cluster.Gateways], BatchRequests = options.ClientBatching }, cancellationToken);
                    await SiloCluster.WaitUntilWritableAsync(client, cancellationToken);
                    foreach (var name in grainKv)
                    {
                        await using var target = new GrainKvTarget(name, client, singleReplica: name == "grainkv-n1", options.OverwriteUpdates);
                        await RunTargetAsync(target, new CpuMeter(() => cluster.ProcessorTime), options, values, raw, cancellationToken);
                    }
                });
            }

            var oneSilo = options.Targets.Where(ClusterBenchOptions.OneSiloTargets.Contains).ToList();
            if (oneSilo.Count > 0)
            {
                await RunGroupAsync("grainkv-1silo", failures, async () =>
                {
                    await using var cluster = await SiloCluster.StartOneAsync(options, dataRoot, cancellationToken);
                    await using var client = await GrainKvClient.ConnectAsync(
                        new GrainKvClientOptions { Gateways = [.. cluster.Gateways], BatchRequests = options.ClientBatching }, cancellationToken);
                    await SiloCluster.WaitUntilWritableAsync(client, cancellationToken);
                    foreach (var name in oneSilo)
                    {
                        await using IKvTarget target = name == "orleans-echo" ? new EchoTarget(name, client) : new GrainKvTarget(name, client, singleReplica: true, options.OverwriteUpdates);
                        await RunTargetAsync(target, new CpuMeter(() => cluster.ProcessorTime), options, values, raw, cancellationToken);
                    }
                });
            }

            foreach (var name in options.Targets.Where(t => t.StartsWith("redis", StringComparison.Ordinal)))
            {
                await RunGroupAsync(name, failures, async () =>
                {
                    var replicated = name == "redis-repl";
                    await using var servers = await RedisServers.StartAsync(options.RedisServer, options.RedisPort, replicated ? 2 : 0, dataRoot, cancellationToken);
                    await using var target = await RedisTarget.ConnectAsync(
                        name, servers.PrimaryPort, replicated ? options.Concurrency.Max() : 1, replicated ? 1 : 0, options.WaitTimeoutMs);
                    await RunTargetAsync(target, new CpuMeter(() => servers.ProcessorTime), options, values, raw, cancellationToken);
                });
            }
        }
        finally
        {
            if (!options.KeepData && Directory.Exists(dataRoot))
            {
                Directory.Delete(dataRoot, recursive: true);
            }
        }

        var medians = CellResult.Medians(raw);
        var table = ClusterReport.Table(medians);
        ClusterReport.Write(runDir, options, raw, medians, table);
        Console.WriteLine();
        Console.WriteLine(table);
        foreach (var failure in failures)
        {
            Console.Error.WriteLine(failure);
        }

        Console.WriteLine($"results: {runDir}");
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task RunGroupAsync(string name, List<string> failures, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failures.Add($"{name} failed: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine();
            Console.Error.WriteLine(failures[^1]);
        }
    }

    private static async Task RunTargetAsync(
        IKvTarget target, CpuMeter cpu, ClusterBenchOptions options, List<byte[]> values, List<CellResult> raw, CancellationToken cancellationToken)
    {
        var keys = new RecordChooser(target.Name + ":", options.Records);
        await LoadAsync(target, keys, values, cancellationToken);
        var runner = new CellRunner(target, keys, values, cpu);
        await runner.SettleAsync(options, cancellationToken);
        foreach (var workload in options.Workloads)
        {
            foreach (var concurrency in options.Concurrency)
            {
                for (var repeat = 0; repeat < options.Repeat; repeat++)
                {
                    var result = await runner.RunAsync(workload, options.Distribution ?? workload.Distribution, concurrency, repeat, options, cancellationToken);
                    raw.Add(result);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    => {result.OpsPerSecond:0} ops/s  p50 {result.P50Micros / 1000:0.00} ms  p99 {result.P99Micros / 1000:0.00} ms  p99.9 {result.P999Micros / 1000:0.00} ms  max {result.MaxMicros / 1000:0.0} ms{(result.StartLagP99Micros is { } lag ? $"  start lag p99 {lag / 1000:0.00} ms" : "")}{(result.ServerCpuMicrosPerOp is { } server ? $"  cpu/op server {server:0.0} µs driver {result.DriverCpuMicrosPerOp:0.0} µs" : "")}  errors {result.Errors}{(result.FirstError is null ? "" : " (" + result.FirstError + ")")}"));
                }
            }
        }
    }

    /// <summary>Inserts every record once, <see cref="LoadConcurrency"/> at a time, within five minutes.</summary>
    private static async Task LoadAsync(IKvTarget target, RecordChooser keys, List<byte[]> values, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(5));
        var started = DateTime.UtcNow;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = LoadConcurrency, CancellationToken = limit.Token };
        long loaded = 0;
        await PhaseProgress.RunAsync(
            $"{target.Name}: loading",
            keys.Records,
            () => new ProgressSample(Interlocked.Read(ref loaded), string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Read(ref loaded):N0} of {keys.Records:N0} records")),
            () => Parallel.ForEachAsync(LongRange(keys.Records), parallel, async (record, token) =>
            {
                await target.InsertAsync((int)(record % LoadConcurrency), keys.Key(record), values[(int)(record % values.Count)], token);
                Interlocked.Increment(ref loaded);
            }));
        Console.WriteLine($"  {target.Name}: loaded {keys.Records} records in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
    }

    private static IEnumerable<long> LongRange(long count)
    {
        for (long i = 0; i < count; i++)
        {
            yield return i;
        }
    }
}
