// `GrainKV.Bench bootstrap`: what adding a node costs. Three silo processes (Redis membership, N=3/W=2/R=2) are
// loaded with --keys keys of --value-size bytes; a closed-loop foreground load (half puts of new keys, half R=2
// reads of loaded keys) runs for --baseline seconds, then a fourth silo is started and bootstraps (streams the ranges
// it will own from their replicas) while the load goes on. Reported: the transfer's duration from the new silo's
// "is ready" to its ring state "normal" with every transfer complete, the bytes and keys it received and the rate,
// and the foreground p50/p99/p99.9 and throughput before and during the transfer.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using GrainKV.Bench.Cluster;
using GrainKV.Bench.Common;
using GrainKV.Client;

namespace GrainKV.Bench.Streaming;

internal static class BootstrapCommand
{
    public const string Help = """
        GrainKV.Bench bootstrap [options]   bootstrap of a 4th silo under load: transfer rate, foreground p99 before/during
          --keys N               keys loaded before the join [50000]      --value-size N  bytes [4096]
          --workers N            closed-loop foreground workers [8]       --baseline S    load before the join [15]
          --load-workers N       parallel writers while loading [32]      --durability D  Buffered|Synced [Buffered]
          --stream-mib N         GrainKV:Streaming:MaxBytesPerSecond in MiB [16]
          --stream-ranges N      GrainKV:Streaming:MaxConcurrentRanges [2]
          --base-port N          [21500]   --redis-port N  [26600]
          --silo-dll PATH        [Silo/bin/Release/net10.0/GrainKV.Silo.dll found above this program]
          --redis-server PATH    [redis-server]    --out DIR  results directory [bench-results]
        """;

    private static readonly ReadOptions AtR2 = new() { ReadQuorum = Acks.Of(2) };
    private static readonly TimeSpan TransferBound = TimeSpan.FromMinutes(30);

    public static async Task<int> RunAsync(ArgumentReader args, CancellationToken cancellationToken)
    {
        var keys = args.Int("keys", 50_000);
        var valueSize = args.Int("value-size", 4096);
        var workers = args.Int("workers", 8);
        var baseline = TimeSpan.FromSeconds(args.Int("baseline", 15));
        var loadWorkers = args.Int("load-workers", 32);
        var durability = args.String("durability", "Buffered");
        var streamMib = args.Int("stream-mib", 16);
        var streamRanges = args.Int("stream-ranges", 2);
        var basePort = args.Int("base-port", 21500);
        var redisPort = args.Int("redis-port", 26600);
        var siloDll = args.String("silo-dll", "") is { Length: > 0 } dll ? Path.GetFullPath(dll) : null;
        var redisServer = args.String("redis-server", "redis-server");
        var outDir = args.String("out", "bench-results");
        args.EnsureAllRead();
        if (keys < 1 || valueSize < 1 || workers < 1 || loadWorkers < 1 || baseline <= TimeSpan.Zero || streamMib < 1 || streamRanges < 1)
        {
            throw new ArgumentException("--keys, --value-size, --workers, --load-workers, --baseline, --stream-mib and --stream-ranges must be positive.");
        }

        var dataRoot = Path.Combine(Path.GetTempPath(), $"grainkv-bootstrap-{Environment.ProcessId}");
        Directory.CreateDirectory(dataRoot);
        try
        {
            await using var redis = await RedisServers.StartAsync(redisServer, redisPort, replicas: 0, dataRoot, cancellationToken);
            await using var cluster = await SiloCluster.StartAsync(
                siloDll, 3, basePort, durability, commitIntervalMs: null, $"127.0.0.1:{redisPort}", dataRoot, cancellationToken,
                [$"--GrainKV:Streaming:MaxBytesPerSecond={I(streamMib * 1024L * 1024)}", $"--GrainKV:Streaming:MaxConcurrentRanges={I(streamRanges)}"]);
            await using var client = await GrainKvClient.ConnectAsync(new GrainKvClientOptions { Gateways = [.. cluster.Gateways] }, cancellationToken);
            await SiloCluster.WaitUntilWritableAsync(client, cancellationToken);

            var value = new byte[valueSize];
            Random.Shared.NextBytes(value);
            var loading = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = loadWorkers, CancellationToken = cancellationToken },
                async (i, token) => await client.PutAsync(Key(i), value, null, null, token));
            var loaded = loading.Elapsed;
            Console.WriteLine($"loaded {keys} keys of {valueSize} bytes in {loaded.TotalSeconds:0.0} s");

            var phase = new Phase();
            using var stop = new CancellationTokenSource();
            var histograms = Enumerable.Range(0, workers).Select(_ => new[] { new LatencyHistogram(), new LatencyHistogram() }).ToArray();
            var failures = new long[workers];
            var load = Enumerable.Range(0, workers)
                .Select(w => Task.Run(() => WorkerAsync(client, w, keys, value, phase, histograms[w], failures, stop.Token), CancellationToken.None))
                .ToArray();
            TimeSpan transfer;
            TimeSpan startup;
            TransferStatus joined;
            var baselineClock = Stopwatch.StartNew();
            try
            {
                await Task.Delay(baseline, cancellationToken);
                phase.Current = 1;
                var baselineTime = baselineClock.Elapsed;
                var starting = Stopwatch.StartNew();
                var node = await cluster.AddSiloAsync(cancellationToken);
                startup = starting.Elapsed;
                var streaming = Stopwatch.StartNew();
                joined = await WaitForJoinAsync(client, node, cancellationToken);
                transfer = streaming.Elapsed;
                phase.Current = 2;
                phase.Baseline = baselineTime;
                phase.During = starting.Elapsed;
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(load);
            }

            await RunFiles.WriteReportAsync(outDir, "bootstrap", Report(keys, valueSize, durability, streamMib, streamRanges, workers, loaded, startup, transfer, joined, phase, histograms, failures.Sum()), cancellationToken);
            return 0;
        }
        finally
        {
            RunFiles.DeleteScratch(dataRoot);
        }
    }

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"boot-{i:D8}");

    private static async Task WorkerAsync(
        GrainKvClient client, int worker, int keys, byte[] value, Phase phase, LatencyHistogram[] histograms, long[] failures, CancellationToken stop)
    {
        var random = new Random(worker);
        for (var seq = 0; !stop.IsCancellationRequested; seq++)
        {
            var current = phase.Current;
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (seq % 2 == 0)
                {
                    await client.PutAsync(Encoding.UTF8.GetBytes($"fg-{worker}-{seq}"), value, null, null, stop);
                }
                else
                {
                    await client.GetAsync(Key(random.Next(keys)), AtR2, stop);
                }

                if (current < 2 && phase.Current == current)
                {
                    histograms[current].RecordSince(started);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                failures[worker]++;
            }
        }
    }

    private static async Task<TransferStatus> WaitForJoinAsync(GrainKvClient client, string node, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var status = await client.GetStatusAsync(cancellationToken);
                if (status.Nodes.Any(n => n.NodeId == node && n.RingState == "normal")
                    && status.Transfers.Count == 4 && status.Transfers.All(t => t.RangesPending == 0))
                {
                    return status.Transfers.Single(t => t.NodeId == node);
                }
            }
            catch (GrainKvException) when (deadline.Elapsed < TransferBound)
            {
            }

            if (deadline.Elapsed > TransferBound)
            {
                throw new TimeoutException($"{node} did not finish bootstrapping within {TransferBound}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private static string Report(
        int keys, int valueSize, string durability, int streamMib, int streamRanges, int workers, TimeSpan loaded, TimeSpan startup, TimeSpan transfer,
        TransferStatus joined, Phase phase, LatencyHistogram[][] histograms, long failures)
    {
        var text = new StringBuilder();
        var data = (double)keys * valueSize;
        text.AppendLine(CultureInfo.InvariantCulture, $"## Bootstrap of a 4th silo ({keys:N0} keys × {valueSize} B = {data / (1 << 20):0} MiB of values, N=3: {data * 3 / (1 << 20):0} MiB of replicas on 3 silos)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"durability {durability}, streaming {streamMib} MiB/s × {streamRanges} ranges, {workers} foreground workers (half puts of new keys, half R=2 reads); load took {loaded.TotalSeconds:0.0} s");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"- new silo ready after {startup.TotalSeconds:0.0} s; transfer (ready → normal, every transfer complete) {transfer.TotalSeconds:0.0} s");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"- received {joined.KeysReceived:N0} keys ({joined.KeysAdded:N0} distinct, from every replica of each range), {joined.BytesReceived / (double)(1 << 20):0.0} MiB: {joined.BytesReceived / (double)(1 << 20) / transfer.TotalSeconds:0.0} MiB/s; owns {joined.RangesOwned} ranges");
        text.AppendLine();
        text.AppendLine("| phase | duration s | ops | ops/s | p50 ms | p99 ms | p99.9 ms |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        string[] names = ["before the join", "during the bootstrap"];
        TimeSpan[] durations = [phase.Baseline, phase.During];
        for (var p = 0; p < 2; p++)
        {
            var merged = new LatencyHistogram();
            foreach (var worker in histograms)
            {
                merged.Add(worker[p]);
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {names[p]} | {durations[p].TotalSeconds:0.0} | {merged.Count:N0} | {merged.Count / durations[p].TotalSeconds:0} | {Ms(merged.ValueAtPercentile(50))} | {Ms(merged.ValueAtPercentile(99))} | {Ms(merged.ValueAtPercentile(99.9))} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"foreground operations failed: {failures}");
        return text.ToString();
    }

    private static string Ms(double nanoseconds) => (nanoseconds / 1e6).ToString("0.00", CultureInfo.InvariantCulture);

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class Phase
    {
        private int _current;

        /// <summary>0 before the join, 1 during the bootstrap, 2 after.</summary>
        public int Current
        {
            get => Volatile.Read(ref _current);
            set => Volatile.Write(ref _current, value);
        }

        public TimeSpan Baseline { get; set; }

        public TimeSpan During { get; set; }
    }
}
