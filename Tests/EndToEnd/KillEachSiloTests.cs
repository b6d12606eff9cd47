// End to end, "always writable": three real silo processes with Redis membership (every silo equal, N=3, W=2,
// R=2, synced log, sloppy mode) under a continuous load of puts and reads through one client over all three
// gateways, while each silo in turn, the first one started included, is SIGKILLed and restarted on its data
// directory. With one node of three down, W=2 and R=2 are always reachable, so the store must stay writable:
// at least 99.9 % of operations succeed, every acknowledged write reads back afterwards, and every hint kept for
// a killed node reaches it. The longest time without a successful operation is printed, not asserted (tests assert
// no timings; on a loaded machine it varies): `GrainKV.Bench kill` measures it (docs/BENCHMARKS.md).

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using GrainKV.Client;
using GrainKV.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GrainKV.Tests.EndToEnd;

[Collection(nameof(ClusterCrashTests))]   // real processes: never beside the other crash tests on a 2-core machine
[Trait("Category", "Crash")]
public sealed class KillEachSiloTests(ITestOutputHelper output)
{
    private const int Nodes = 3;
    private const int Workers = 8;
    private const double RequiredSuccess = 0.999;

    // The scenario in operations, not in time: completed before the first kill, while a node is down, and with
    // the cluster whole again (each awaited with a bound).
    private const int WarmUpOperations = 1500;
    private const int OperationsWhileDown = 1500;
    private const int OperationsWhileWhole = 1500;

    private static readonly TimeSpan ClusterBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(10);
    private static readonly ReadOptions AtR2 = new() { ReadQuorum = Acks.Of(2) };

    private static readonly string[] NodeArguments =
    [
        "--GrainKV:ReplicationFactor=3",
        "--GrainKV:WriteQuorum=2",
        "--GrainKV:ReadQuorum=2",
    ];

    [Fact]
    public async Task EverySiloIncludingTheFirstCanBeKilledUnderLoadWithoutLosingWritesOrAvailability()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await SiloProcessCluster.StartWithRedisAsync(Nodes, NodeArguments, redis.ConnectionString);
        await WaitUntilEveryNodeSeesTheRingAsync(cluster);
        await using var client = await ConnectAsync(cluster.Gateways);

        var record = new OperationRecord();
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var timeline = new List<(TimeSpan At, string What)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers)
            .Select(w => Task.Run(() => PutsAndReadsAsync(client, record, acknowledged, w, stop.Token)))
            .ToArray();
        try
        {
            await ProgressAsync(record, WarmUpOperations);
            for (var victim = 0; victim < Nodes; victim++)
            {
                await cluster.KillAsync(victim);
                timeline.Add((record.Elapsed, $"SIGKILL {SiloProcessCluster.NodeId(victim)}"));
                await ProgressAsync(record, OperationsWhileDown);
                await cluster.RestartAsync(victim);
                timeline.Add((record.Elapsed, $"{SiloProcessCluster.NodeId(victim)} restarted (ready)"));
                await WaitForLiveNodesAsync(client);
                timeline.Add((record.Elapsed, "status shows every node live"));
                await ProgressAsync(record, OperationsWhileWhole);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(ClusterBound);
        }

        var loadEnded = record.Elapsed;
        var gap = record.LongestGapWithoutSuccess(loadEnded);
        foreach (var (at, what) in timeline)
        {
            output.WriteLine($"{at.TotalSeconds,7:0.0} s  {what}");
        }

        output.WriteLine(record.Summary());
        output.WriteLine($"longest time without a successful operation: {gap.Length.TotalSeconds:0.00} s (from {gap.From.TotalSeconds:0.00} s)");
        output.WriteLine("successful operations per second:");
        output.WriteLine(record.PerSecond(loadEnded));

        var hintsWaited = Stopwatch.StartNew();
        await WaitForNoPendingHintsAsync(cluster);
        output.WriteLine($"every node's hint store was empty {hintsWaited.Elapsed.TotalSeconds:0.0} s after the load stopped");

        var missing = new List<string>();
        foreach (var (key, value) in acknowledged.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var read = await ReadBackAsync(client, key);
            if (!read.Values.Select(v => Encoding.UTF8.GetString(v)).Contains(value))
            {
                missing.Add($"{key}: {value} not among {read.Values.Count} value(s)");
            }
        }

        output.WriteLine($"acknowledged puts: {acknowledged.Count}; read back at R=2: {acknowledged.Count - missing.Count}; missing: {missing.Count}");
        foreach (var line in missing.Take(20))
        {
            output.WriteLine("missing: " + line);
        }

        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged puts are missing:\n  " + string.Join("\n  ", missing.Take(10)));
        Assert.True(
            record.SuccessRatio >= RequiredSuccess,
            $"{record.FailedCount} of {record.Total} operations failed ({1 - record.SuccessRatio:P3}); the bound is {1 - RequiredSuccess:P1}:\n{record.Summary()}\n{record.PerSecond(loadEnded)}");
    }

    [Fact]
    public async Task AClientUsesAGatewayThatWasDownWhenItConnected()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await SiloProcessCluster.StartWithRedisAsync(Nodes, NodeArguments, redis.ConnectionString);
        await WaitUntilEveryNodeSeesTheRingAsync(cluster);
        await cluster.KillAsync(2);

        // n3 is down when the client connects: it connects through n1 and n2 (giving n3 up after 5 s) and keeps trying n3.
        await using var client = await ConnectAsync(cluster.Gateways, TimeSpan.FromSeconds(5));
        await client.PutAsync("while-n3-was-down", "v");
        await cluster.RestartAsync(2);

        // Status requests go round robin over the connected gateways and report the node that answered.
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    using var timeout = new CancellationTokenSource(OperationTimeout);
                    return (await client.GetStatusAsync(timeout.Token)).ObservedBy == SiloProcessCluster.NodeId(2);
                }
                catch (Exception ex) when (ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
                {
                    return false;
                }
            },
            ClusterBound,
            "a status request answered by n3, through the gateway that was down when the client connected");
        Assert.Equal("v", Encoding.UTF8.GetString((await client.GetAsync("while-n3-was-down", AtR2)).Value));
    }

    /// <summary>A worker: puts a new key, then reads one of its acknowledged keys at R=2 (which must hold the
    /// acknowledged value).</summary>
    private static async Task PutsAndReadsAsync(
        GrainKvClient client, OperationRecord record, ConcurrentDictionary<string, string> acknowledged, int worker, CancellationToken stop)
    {
        var random = new Random(worker);
        var mine = new List<string>();
        for (var seq = 0; !stop.IsCancellationRequested; seq++)
        {
            var (key, value) = ($"w{worker}-k{seq:D6}", $"w{worker}-v{seq}");
            var started = record.Elapsed;
            try
            {
                using var timeout = new CancellationTokenSource(OperationTimeout);
                await client.PutAsync(key, value, cancellationToken: timeout.Token);
                acknowledged[key] = value;
                mine.Add(key);
                record.Succeeded();
            }
            catch (Exception ex)
            {
                record.Failed("put", started, ex);
            }

            if (mine.Count == 0)
            {
                continue;
            }

            var readKey = mine[random.Next(mine.Count)];
            started = record.Elapsed;
            try
            {
                using var timeout = new CancellationTokenSource(OperationTimeout);
                var read = await client.GetAsync(readKey, AtR2, timeout.Token);
                if (read.Values.Select(v => Encoding.UTF8.GetString(v)).Contains(acknowledged[readKey]))
                {
                    record.Succeeded();
                }
                else
                {
                    record.Failed("get", started, new InvalidOperationException($"{readKey} read without its acknowledged value"));
                }
            }
            catch (Exception ex)
            {
                record.Failed("get", started, ex);
            }
        }
    }

    /// <summary>Waits until every node reports an empty hint store, each asked through its own gateway.</summary>
    private async Task WaitForNoPendingHintsAsync(SiloProcessCluster cluster)
    {
        for (var node = 0; node < Nodes; node++)
        {
            await using var through = await ConnectAsync([cluster.Gateways[node]]);
            var expected = SiloProcessCluster.NodeId(node);
            var last = "nothing yet";
            try
            {
                await Eventually.HoldsAsync(
                    async () =>
                    {
                        try
                        {
                            using var timeout = new CancellationTokenSource(OperationTimeout);
                            var status = await through.GetStatusAsync(timeout.Token);
                            last = $"{status.ObservedBy} keeps {status.PendingHints} hint(s)";
                            return status.ObservedBy == expected && status.PendingHints == 0;
                        }
                        catch (Exception ex) when (ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
                        {
                            last = ex.GetType().Name + ": " + ex.Message;
                            return false;
                        }
                    },
                    ClusterBound,
                    $"{expected} reports no pending hints");
            }
            finally
            {
                output.WriteLine($"hints of {expected}, last seen: {last}");
            }
        }
    }

    private static async Task<ReadResult> ReadBackAsync(GrainKvClient client, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(OperationTimeout);
                return await client.GetAsync(key, AtR2, timeout.Token);
            }
            catch (Exception) when (attempt < 5)
            {
                await WaitForLiveNodesAsync(client);
            }
        }
    }

    private static Task ProgressAsync(OperationRecord record, int operations)
    {
        var target = record.Total + operations;
        return Eventually.HoldsAsync(() => record.Total >= target, ClusterBound, $"the load completed {operations} more operations");
    }

    private static Task<GrainKvClient> ConnectAsync(List<string> gateways, TimeSpan? connectTimeout = null) => GrainKvClient.ConnectAsync(new GrainKvClientOptions
    {
        Gateways = gateways,
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(30),
    });

    /// <summary>Waits until the status answered through each gateway shows every node live and normal: each silo's copy
    /// of the ring record has every node (a silo starts with its own copy and learns the others' from them).</summary>
    private static async Task WaitUntilEveryNodeSeesTheRingAsync(SiloProcessCluster cluster)
    {
        foreach (var gateway in cluster.Gateways)
        {
            await using var through = await ConnectAsync([gateway]);
            await WaitForLiveNodesAsync(through);
        }
    }

    private static Task WaitForLiveNodesAsync(GrainKvClient client) => Eventually.HoldsAsync(
        async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(OperationTimeout);
                var status = await client.GetStatusAsync(timeout.Token);
                return status.Nodes.Count == Nodes && status.Nodes.All(n => n.IsLive && n.RingState == "normal");
            }
            catch (Exception ex) when (ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
            {
                return false;
            }
        },
        ClusterBound,
        $"the cluster status shows {Nodes} live, normal nodes");
}

/// <summary>Every operation of a load: when it started and ended, and how it failed (kind and first messages).</summary>
internal sealed class OperationRecord
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<TimeSpan> _successes = new();
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _firstMessages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(TimeSpan Started, TimeSpan Ended, string Kind)> _failed = new();
    private long _total;

    public TimeSpan Elapsed => _clock.Elapsed;

    public long Total => Interlocked.Read(ref _total);

    public long FailedCount => _failed.Count;

    public double SuccessRatio => Total == 0 ? 0 : 1 - ((double)FailedCount / Total);

    public void Succeeded()
    {
        _successes.Enqueue(_clock.Elapsed);
        Interlocked.Increment(ref _total);
    }

    public void Failed(string operation, TimeSpan started, Exception error)
    {
        var kind = $"{operation}: {error.GetType().Name}";
        _failures.AddOrUpdate(kind, 1, (_, n) => n + 1);
        _firstMessages.TryAdd(kind, error.Message.Length > 400 ? error.Message[..400] : error.Message);
        _failed.Enqueue((started, _clock.Elapsed, kind));
        Interlocked.Increment(ref _total);
    }

    /// <summary>The longest interval, up to <paramref name="end"/>, in which no operation completed successfully.</summary>
    public (TimeSpan From, TimeSpan Length) LongestGapWithoutSuccess(TimeSpan end)
    {
        var times = _successes.Order().ToList();
        var longest = (From: TimeSpan.Zero, Length: times.Count > 0 ? times[0] : end);
        for (var i = 1; i <= times.Count; i++)
        {
            var next = i < times.Count ? times[i] : end;
            if (next - times[i - 1] > longest.Length)
            {
                longest = (times[i - 1], next - times[i - 1]);
            }
        }

        return longest;
    }

    /// <summary>Successful (and failed) operations per second, as a column of text.</summary>
    public string PerSecond(TimeSpan end)
    {
        var seconds = (int)end.TotalSeconds + 1;
        var ok = new int[seconds];
        var bad = new int[seconds];
        foreach (var at in _successes)
        {
            ok[Math.Min((int)at.TotalSeconds, seconds - 1)]++;
        }

        foreach (var (_, ended, _) in _failed)
        {
            bad[Math.Min((int)ended.TotalSeconds, seconds - 1)]++;
        }

        return string.Join("\n", Enumerable.Range(0, seconds).Select(s => $"  {s,4} s {ok[s],6} ok {(bad[s] > 0 ? $"{bad[s],5} failed" : string.Empty)}"));
    }

    public string Summary()
    {
        var lines = new StringBuilder($"operations: {Total}, failed: {FailedCount} ({(Total == 0 ? 0 : (double)FailedCount / Total):P3})\n");
        foreach (var (kind, count) in _failures.OrderByDescending(e => e.Value))
        {
            lines.AppendLine($"  {count,6} {kind}: {_firstMessages[kind]}");
        }

        foreach (var (started, ended, kind) in _failed.Take(60))
        {
            lines.AppendLine($"  failed {started.TotalSeconds,7:0.00}-{ended.TotalSeconds,7:0.00} s {kind}");
        }

        return lines.ToString();
    }
}
