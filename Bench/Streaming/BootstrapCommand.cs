// `GrainKV.Bench bootstrap`: what adding a node costs. Three silo processes (Redis membership, N=3/W=2/R=2) are
// loaded with --keys keys of --value-size bytes; a closed-loop foreground load (half puts of new keys, half R=2
// reads of loaded keys) runs for --baseline seconds, then a fourth silo is started and bootstraps (streams the ranges
// it will own from their replicas) while the load goes on. Reported: the transfer's duration from the new silo's
// "is ready" to its ring state "normal" with every transfer complete, the bytes and keys it received and the rate,
// and the foreground p50/p99/p99.9 and throughput before and during the transfer.

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using GrainKV.Bench.Arguments;
using GrainKV.Bench.Cluster;
using GrainKV.Bench.Common;
using GrainKV.Bench.Progress;
using GrainKV.Client;
using HdrHistogram;

namespace GrainKV.Bench.Streaming;

internal static class BootstrapCommand
{
    private static readonly ReadOptions AtR2 = new() { ReadQuorum = Acks.Of(2) };
    private static readonly TimeSpan TransferBound = TimeSpan.FromMinutes(30);

    public static Command Create()
    {
        var keys = BenchOption.Int("--keys", 50_000, "keys loaded before the join");
        var valueSize = BenchOption.Int("--value-size", 4096, "value size in bytes");
        var workers = BenchOption.Int("--workers", 8, "closed-loop foreground workers");
        var baseline = BenchOption.Int("--baseline", 15, "seconds of load before the join");
        var loadWorkers = BenchOption.Int("--load-workers", 32, "parallel writers while loading");
        var durability = BenchOption.Choice("--durability", "Buffered", "the silos' commit log", "Buffered", "Synced");
        var streamMib = BenchOption.Int("--stream-mib", 16, "GrainKV:Streaming:MaxBytesPerSecond, in MiB");
        var streamRanges = BenchOption.Int("--stream-ranges", 2, "GrainKV:Streaming:MaxConcurrentRanges");
        var basePort = BenchOption.Int("--base-port", 21500, "silo ports N.., gateways N+100..");
        var redisPort = BenchOption.Int("--redis-port", 26600, "port of the membership Redis");
        var siloDll = BenchOption.OptionalText("--silo-dll", "the silo to run [Silo/bin/Release/net10.0/GrainKV.Silo.dll found above this program]");
        var redisServer = BenchOption.Text("--redis-server", "redis-server", "the redis-server executable");
        var outDir = BenchOption.Text("--out", "bench-results", "results directory");
        var command = new Command("bootstrap", "a 4th silo joining a loaded cluster under load: transfer rate, foreground p99 before/during")
        {
            keys, valueSize, workers, baseline, loadWorkers, durability, streamMib, streamRanges, basePort, redisPort, siloDll, redisServer, outDir,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(
                parse.GetValue(keys), parse.GetValue(valueSize), parse.GetValue(workers), TimeSpan.FromSeconds(parse.GetValue(baseline)),
                parse.GetValue(loadWorkers), parse.GetRequiredValue(durability), parse.GetValue(streamMib), parse.GetValue(streamRanges),
                parse.GetValue(basePort), parse.GetValue(redisPort), parse.GetValue(siloDll) is { Length: > 0 } dll ? Path.GetFullPath(dll) : null,
                parse.GetRequiredValue(redisServer), parse.GetRequiredValue(outDir)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var (keys, valueSize, workers, baseline, loadWorkers, durability, streamMib, streamRanges, basePort, redisPort, siloDll, redisServer, outDir) = settings;
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
            long written = 0;
            await PhaseProgress.RunAsync(
                "loading",
                keys,
                () => new ProgressSample(Interlocked.Read(ref written), I($"{Interlocked.Read(ref written):N0} of {keys:N0} keys")),
                () => Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = loadWorkers, CancellationToken = cancellationToken },
                    async (i, token) =>
                    {
                        await client.PutAsync(Key(i), value, null, null, token);
                        Interlocked.Increment(ref written);
                    }));
            var loaded = loading.Elapsed;
            Console.WriteLine($"loaded {keys} keys of {valueSize} bytes in {loaded.TotalSeconds:0.0} s");

            var phase = new Phase();
            using var stop = new CancellationTokenSource();
            var histograms = Enumerable.Range(0, workers).Select(_ => new[] { Latency.NewHistogram(), Latency.NewHistogram() }).ToArray();
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
                await PhaseProgress.RunAsync(
                    "load before the join",
                    baseline.TotalSeconds,
                    () => new ProgressSample(baselineClock.Elapsed.TotalSeconds, ""),
                    () => Task.Delay(baseline, cancellationToken));
                phase.Current = 1;
                var baselineTime = baselineClock.Elapsed;
                var starting = Stopwatch.StartNew();
                var transferSeen = new TransferSeen();
                (startup, transfer, joined) = await PhaseProgress.RunAsync(
                    "4th silo",
                    1,
                    transferSeen.Sample,
                    async () =>
                    {
                        var node = await cluster.AddSiloAsync(cancellationToken);
                        var started = starting.Elapsed;
                        var streaming = Stopwatch.StartNew();
                        var status = await WaitForJoinAsync(client, node, transferSeen, cancellationToken);
                        return (started, streaming.Elapsed, status);
                    });
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
        GrainKvClient client, int worker, int keys, byte[] value, Phase phase, LongHistogram[] histograms, long[] failures, CancellationToken stop)
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

    private static async Task<TransferStatus> WaitForJoinAsync(GrainKvClient client, string node, TransferSeen seen, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var status = await client.GetStatusAsync(cancellationToken);
                seen.Latest = status.Transfers.FirstOrDefault(t => t.NodeId == node);
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
        TransferStatus joined, Phase phase, LongHistogram[][] histograms, long failures)
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
            var merged = Latency.Merge(histograms.Select(worker => worker[p]));

            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {names[p]} | {durations[p].TotalSeconds:0.0} | {merged.TotalCount:N0} | {merged.TotalCount / durations[p].TotalSeconds:0} | {Ms(merged.PercentileMicros(50))} | {Ms(merged.PercentileMicros(99))} | {Ms(merged.PercentileMicros(99.9))} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"foreground operations failed: {failures}");
        return text.ToString();
    }

    private static string Ms(double microseconds) => (microseconds / 1e3).ToString("0.00", CultureInfo.InvariantCulture);

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

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

    private sealed record Settings(
        int Keys, int ValueSize, int Workers, TimeSpan Baseline, int LoadWorkers, string Durability, int StreamMib, int StreamRanges,
        int BasePort, int RedisPort, string? SiloDll, string RedisServer, string OutDir);

    /// <summary>The new silo's transfer as last seen by the join's status polls, for the progress bar.</summary>
    private sealed class TransferSeen
    {
        private volatile TransferStatus? _latest;

        public TransferStatus? Latest
        {
            set => _latest = value;
        }

        public ProgressSample Sample() => _latest is { } t
            ? new ProgressSample(
                t.RangesOwned - t.RangesPending,
                I($"bootstrapping ({t.RingState}): {t.RangesOwned - t.RangesPending} of {t.RangesOwned} ranges, {t.BytesReceived / (double)(1 << 20):0.0} MiB received"),
                t.RangesOwned)
            : new ProgressSample(0, "starting");
    }
}
