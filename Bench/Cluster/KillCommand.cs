// `GrainKV.Bench kill`: what a SIGKILL costs. Three silo processes with Redis membership (N=3/W=2/R=2) under a
// closed-loop load of puts and R=2 reads through one GrainKvClient over all gateways; after a warm-up each silo in
// turn, the first one started included, is SIGKILLed, left down, restarted on its data directory and left to
// settle. Reported: successful and failed operations per second with a text plot and p99 latency, per kill the
// time until gossip marked the node down and the ring stopped using it, the hints kept meanwhile and how long
// after the restart they were all delivered, and overall the success ratio and the longest time without success.

using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using GrainKV.Bench.Arguments;
using GrainKV.Bench.Common;
using GrainKV.Client;

namespace GrainKV.Bench.Cluster;

internal static class KillCommand
{
    private const int Silos = 3;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly ReadOptions AtR2 = new() { ReadQuorum = Acks.Of(2) };

    public static Command Create()
    {
        var workers = BenchOption.Int("--workers", 16, "closed-loop workers, each a put then an R=2 read");
        var warmup = BenchOption.Int("--warmup", 10, "seconds of load before the first kill");
        var down = BenchOption.Int("--down", 10, "seconds each silo stays dead");
        var settle = BenchOption.Int("--settle", 15, "seconds of load after each restart");
        var valueSize = BenchOption.Int("--value-size", 1024, "value size in bytes");
        var durability = BenchOption.Choice("--durability", "Synced", "the silos' commit log", "Buffered", "Synced");
        var basePort = BenchOption.Int("--base-port", 21300, "silo ports N.., gateways N+100..");
        var redisPort = BenchOption.Int("--redis-port", 26500, "port of the membership Redis");
        var siloDll = BenchOption.OptionalText("--silo-dll", "the silo to run [Silo/bin/Release/net10.0/GrainKV.Silo.dll found above this program]");
        var redisServer = BenchOption.Text("--redis-server", "redis-server", "the redis-server executable");
        var outDir = BenchOption.Text("--out", "bench-results", "results directory");
        var clientBatching = BenchOption.Choice(
            "--client-batching", "off", "the GrainKV client's requests to a gateway: on = in batches while others are out (GrainKvClientOptions.BatchRequests); off = one call each", "on", "off");
        var command = new Command("kill", "SIGKILL of each of 3 silos (Redis membership) in turn under load: throughput, detection, hints")
        {
            workers, warmup, down, settle, valueSize, durability, basePort, redisPort, siloDll, redisServer, outDir, clientBatching,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(workers), TimeSpan.FromSeconds(parse.GetValue(warmup)), TimeSpan.FromSeconds(parse.GetValue(down)),
            TimeSpan.FromSeconds(parse.GetValue(settle)), parse.GetValue(valueSize), parse.GetRequiredValue(durability), parse.GetValue(basePort),
            parse.GetValue(redisPort), parse.GetValue(siloDll) is { Length: > 0 } dll ? Path.GetFullPath(dll) : null,
            parse.GetRequiredValue(redisServer), parse.GetRequiredValue(outDir), parse.GetRequiredValue(clientBatching) == "on", cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        int workers, TimeSpan warmup, TimeSpan down, TimeSpan settle, int valueSize, string durability, int basePort, int redisPort,
        string? siloDll, string redisServer, string outDir, bool clientBatching, CancellationToken cancellationToken)
    {
        var dataRoot = Path.Combine(Path.GetTempPath(), $"grainkv-kill-{Environment.ProcessId}");
        Directory.CreateDirectory(dataRoot);
        try
        {
            await using var redis = await RedisServers.StartAsync(redisServer, redisPort, replicas: 0, dataRoot, cancellationToken);
            await using var cluster = await SiloCluster.StartAsync(
                siloDll, Silos, basePort, durability, commitIntervalMs: null, $"127.0.0.1:{redisPort}", dataRoot, cancellationToken);
            await using var client = await GrainKvClient.ConnectAsync(
                new GrainKvClientOptions { Gateways = [.. cluster.Gateways], BatchRequests = clientBatching }, cancellationToken);
            var perNode = new List<GrainKvClient>();
            foreach (var gateway in cluster.Gateways)
            {
                perNode.Add(await GrainKvClient.ConnectAsync(new GrainKvClientOptions { Gateways = [gateway] }, cancellationToken));
            }

            await SiloCluster.WaitUntilWritableAsync(client, cancellationToken);
            var record = new Timeline();
            using var stop = new CancellationTokenSource();
            var value = new byte[valueSize];
            Random.Shared.NextBytes(value);
            var load = Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkerAsync(client, record, w, value, stop.Token), CancellationToken.None)).ToArray();
            var kills = new List<KillResult>();
            try
            {
                await Task.Delay(warmup, cancellationToken);
                for (var victim = 0; victim < Silos; victim++)
                {
                    kills.Add(await KillOneAsync(cluster, client, perNode, victim, record, down, settle, cancellationToken));
                }
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(load);
                foreach (var one in perNode)
                {
                    await one.DisposeAsync();
                }
            }

            await RunFiles.WriteReportAsync(outDir, "kill", Report(record, kills, workers, valueSize, durability), cancellationToken);
            return 0;
        }
        finally
        {
            RunFiles.DeleteScratch(dataRoot);
        }
    }

    private static async Task WorkerAsync(GrainKvClient client, Timeline record, int worker, byte[] value, CancellationToken stop)
    {
        var keys = new List<byte[]>();
        var random = new Random(worker);
        for (var seq = 0; !stop.IsCancellationRequested; seq++)
        {
            var key = Encoding.UTF8.GetBytes($"kill-w{worker}-{seq}");
            var started = Stopwatch.GetTimestamp();
            try
            {
                await client.PutAsync(key, value, cancellationToken: stop);
                keys.Add(key);
                record.Ok(started);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                record.Failed(started, ex);
            }

            if (keys.Count == 0)
            {
                continue;
            }

            started = Stopwatch.GetTimestamp();
            try
            {
                await client.GetAsync(keys[random.Next(keys.Count)], AtR2, stop);
                record.Ok(started);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                record.Failed(started, ex);
            }
        }
    }

    private static async Task<KillResult> KillOneAsync(
        SiloCluster cluster, GrainKvClient client, List<GrainKvClient> perNode, int victim, Timeline record, TimeSpan down, TimeSpan settle,
        CancellationToken cancellationToken)
    {
        var node = SiloCluster.NodeId(victim);
        var killedAt = record.Now;
        var failedBefore = record.FailedCount;
        await cluster.KillAsync(victim);
        record.Mark($"SIGKILL {node}");

        // While it is down: when gossip marks it down and when the ring stops counting it live (status through a
        // surviving gateway), and the most hints the survivors keep for it.
        TimeSpan? gossipDown = null, notLive = null;
        long hintsKept = 0;
        var survivors = Enumerable.Range(0, Silos).Where(s => s != victim).ToList();
        while (record.Now - killedAt < down)
        {
            try
            {
                var status = await perNode[survivors[0]].GetStatusAsync(cancellationToken);
                var seen = status.Nodes.FirstOrDefault(n => n.NodeId == node);
                if (gossipDown is null && seen?.Gossip == "down")
                {
                    gossipDown = record.Now - killedAt;
                }

                if (notLive is null && seen is { IsLive: false })
                {
                    notLive = record.Now - killedAt;
                }

                var pending = 0L;
                foreach (var survivor in survivors)
                {
                    pending += (await perNode[survivor].GetStatusAsync(cancellationToken)).PendingHints;
                }

                hintsKept = Math.Max(hintsKept, pending);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A status read that fails is measured as no information.
            }

            await Task.Delay(Poll, cancellationToken);
        }

        var restartedAt = record.Now;
        await cluster.RestartAsync(victim, cancellationToken);
        var ready = record.Now;
        record.Mark($"{node} ready");

        // After the restart: until every node's hint store is empty, then the rest of the settle time.
        TimeSpan? hintsDelivered = null;
        while (record.Now - ready < settle || hintsDelivered is null)
        {
            if (hintsDelivered is null)
            {
                try
                {
                    var pending = 0L;
                    foreach (var one in perNode)
                    {
                        pending += (await one.GetStatusAsync(cancellationToken)).PendingHints;
                    }

                    if (pending == 0)
                    {
                        hintsDelivered = record.Now - ready;
                        record.Mark($"hints for {node} delivered");
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                }
            }

            if (record.Now - ready > settle + TimeSpan.FromMinutes(2))
            {
                break;
            }

            await Task.Delay(Poll, cancellationToken);
        }

        return new KillResult(node, killedAt, gossipDown, notLive, hintsKept, ready - restartedAt, hintsDelivered, record.FailedCount - failedBefore);
    }

    private static string Report(Timeline record, List<KillResult> kills, int workers, int valueSize, string durability)
    {
        var text = new StringBuilder();
        var (ok, failed, p99, marks) = record.PerSecond();
        var total = ok.Sum() + failed.Sum();
        text.AppendLine(CultureInfo.InvariantCulture, $"kill benchmark: 3 silos, Redis membership, N=3/W=2/R=2, {durability} log, {workers} workers (put + R=2 read), {valueSize} B values");
        text.AppendLine(CultureInfo.InvariantCulture, $"operations {total}, failed {failed.Sum()} ({(total == 0 ? 0 : 100.0 * failed.Sum() / total):0.000} %), longest time without a successful operation {record.LongestGap().TotalSeconds:0.00} s");
        text.AppendLine();
        text.AppendLine("| node | killed at | gossip down after | ring not live after | hints kept (max) | restart took | hints delivered after ready | failed ops |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var k in kills)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {k.Node} | {k.KilledAt.TotalSeconds:0.0} s | {Seconds(k.GossipDown)} | {Seconds(k.NotLive)} | {k.HintsKept} | {k.RestartTook.TotalSeconds:0.0} s | {Seconds(k.HintsDelivered)} | {k.Failed} |");
        }

        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine("   s   ok/s failed   p99 ms  (each # = 2% of the highest second)");
        var peak = Math.Max(1, ok.Max());
        for (var s = 0; s < ok.Length; s++)
        {
            var bar = new string('#', (int)Math.Round(50.0 * ok[s] / peak));
            var mark = marks.TryGetValue(s, out var what) ? "  <- " + what : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"{s,4} {ok[s],6} {failed[s],6} {p99[s],8:0.0}  {bar}{mark}");
        }

        text.AppendLine("```");
        return text.ToString();
    }

    private static string Seconds(TimeSpan? time) => time is { } t ? $"{t.TotalSeconds:0.0} s" : "not seen";

    private sealed record KillResult(
        string Node, TimeSpan KilledAt, TimeSpan? GossipDown, TimeSpan? NotLive, long HintsKept, TimeSpan RestartTook, TimeSpan? HintsDelivered, long Failed);

    /// <summary>Operations by the second they completed in: successes with their latency, failures, and marked events.</summary>
    private sealed class Timeline
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private readonly ConcurrentQueue<(TimeSpan At, double LatencyMs)> _ok = new();
        private readonly ConcurrentQueue<(TimeSpan At, string Kind)> _failed = new();
        private readonly ConcurrentQueue<(TimeSpan At, string What)> _marks = new();

        public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

        public long FailedCount => _failed.Count;

        public void Ok(long started) => _ok.Enqueue((Now, Stopwatch.GetElapsedTime(started).TotalMilliseconds));

        public void Failed(long started, Exception error) => _failed.Enqueue((Now, error.GetType().Name));

        public void Mark(string what) => _marks.Enqueue((Now, what));

        public TimeSpan LongestGap()
        {
            var times = _ok.Select(o => o.At).Order().ToList();
            var longest = TimeSpan.Zero;
            for (var i = 1; i < times.Count; i++)
            {
                longest = TimeSpan.FromTicks(Math.Max(longest.Ticks, (times[i] - times[i - 1]).Ticks));
            }

            return longest;
        }

        public (int[] Ok, int[] Failed, double[] P99, Dictionary<int, string> Marks) PerSecond()
        {
            var seconds = (int)Now.TotalSeconds + 1;
            var ok = new int[seconds];
            var failed = new int[seconds];
            var latencies = Enumerable.Range(0, seconds).Select(_ => new List<double>()).ToArray();
            foreach (var (at, latency) in _ok)
            {
                var s = Math.Min((int)at.TotalSeconds, seconds - 1);
                ok[s]++;
                latencies[s].Add(latency);
            }

            foreach (var (at, _) in _failed)
            {
                failed[Math.Min((int)at.TotalSeconds, seconds - 1)]++;
            }

            var p99 = latencies.Select(l => l.Count == 0 ? 0 : l.Order().ElementAt(Math.Min(l.Count - 1, (int)Math.Ceiling(l.Count * 0.99) - 1))).ToArray();
            var marks = _marks.GroupBy(m => (int)m.At.TotalSeconds).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(m => m.What)));
            return (ok, failed, p99, marks);
        }
    }
}
