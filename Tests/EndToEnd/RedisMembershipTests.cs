// End to end, issue #10: with Redis membership every silo is equal, so even the FIRST silo started can die and
// come back. A redis-server of the test's own, three silo processes (N=3, W=2, R=2), one client over all three
// gateways: keys are written, n1 is SIGKILLed, new keys must become writable and readable (R=2) through the
// surviving gateways while n1 stays dead, n1 restarts on its data directory and ports and rejoins, and every
// acknowledged key reads back at R=2. The test also reports (never asserts) how long writes failed after the
// kill, when Orleans declared n1 dead, and how much the surviving silos logged meanwhile.

using System.Diagnostics;
using System.Text;
using GrainKV.Client;
using GrainKV.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;
using GrainKV.Versioning;

namespace GrainKV.Tests.EndToEnd;

[Collection(nameof(ClusterCrashTests))]   // real processes: never beside the other crash tests on a 2-core machine
[Trait("Category", "Crash")]
public sealed class RedisMembershipTests(ITestOutputHelper output)
{
    private const int Nodes = 3;
    private const int KeysBefore = 30;
    private const int RequiredStreak = 20;   // consecutive writes + reads of new keys that show the cluster writable
    private const int ReadAttempts = 5;

    private static readonly TimeSpan ClusterBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(5);

    // How long, after the kill, new keys may take to become writable with n1 dead.
    private static readonly TimeSpan WritableBound = TimeSpan.FromSeconds(60);

    // Writes go on (for the measurement only) until Orleans declares n1 dead or this much time has passed.
    private static readonly TimeSpan ObservationBound = TimeSpan.FromSeconds(40);

    // Pacing of the write loop after the kill, so that fast failures do not spin.
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(50);

    private static readonly string[] NodeArguments =
    [
        "--GrainKV:ReplicationFactor=3",
        "--GrainKV:WriteQuorum=2",
        "--GrainKV:ReadQuorum=2",
    ];

    [Fact]
    public async Task FirstSiloCanDieAndComeBackWithRedisMembership()
    {
        var wall = Stopwatch.StartNew();
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await SiloProcessCluster.StartWithRedisAsync(Nodes, NodeArguments, redis.ConnectionString);
        await using var client = await ConnectAsync(cluster.Gateways);
        await WaitForLiveNodesAsync(client, Nodes);
        var started = wall.Elapsed;

        var acknowledged = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < KeysBefore; i++)
        {
            var (key, value) = ($"before-{i:D3}", $"value-before-{i}");
            await Bounded(token => client.PutAsync(key, value, cancellationToken: token));
            acknowledged[key] = value;
        }

        // SIGKILL the first silo; survivors' output from here on is the log volume of a node failure.
        var logsAtKill = SurvivorLogSizes(cluster);
        await cluster.KillAsync(0);
        var sinceKill = Stopwatch.StartNew();
        using var stopObserving = new CancellationTokenSource();
        var declaredDead = ObserveDeathAsync(client, sinceKill, stopObserving.Token);

        var attempts = new List<(TimeSpan At, string? Error)>();
        var streak = 0;
        var writtenDuring = 0;
        using (var pace = new PeriodicTimer(Pace))
        {
            while (streak < RequiredStreak || (!declaredDead.IsCompleted && sinceKill.Elapsed < ObservationBound))
            {
                if (streak < RequiredStreak && sinceKill.Elapsed > WritableBound)
                {
                    throw new XunitException(
                        $"new keys were not writable and readable {RequiredStreak} times in a row within {WritableBound.TotalSeconds} s "
                        + $"of killing n1:\n{DescribeAttempts(attempts)}");
                }

                var (key, value) = ($"during-{writtenDuring:D4}", $"value-during-{writtenDuring}");
                writtenDuring++;
                try
                {
                    await Bounded(token => client.PutAsync(key, value, cancellationToken: token));
                    acknowledged[key] = value;
                    var read = await Bounded(token => client.GetAsync(key, AtR2, token));
                    Assert.Contains(value, read.Values.Select(v => Encoding.UTF8.GetString(v)));
                    attempts.Add((sinceKill.Elapsed, null));
                    streak++;
                }
                catch (Exception ex) when (ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
                {
                    attempts.Add((sinceKill.Elapsed, ex.GetType().Name));
                    streak = 0;
                }

                await pace.WaitForNextTickAsync();
            }
        }

        var writableAfter = sinceKill.Elapsed;
        var logsBeforeRestart = SurvivorLogSizes(cluster);
        var loggedCategories = LogCategories(cluster.OutputOf(1)[logsAtKill[0]..logsBeforeRestart[0]]);
        await stopObserving.CancelAsync();
        var deadAfter = await declaredDead;

        // n1 comes back on its data directory and ports (RestartAsync awaits its ready line) and rejoins.
        await cluster.RestartAsync(0);
        var restartedAfter = sinceKill.Elapsed;
        await WaitForLiveNodesAsync(client, Nodes);
        // Seen from n1 itself too: a restarted silo that formed a cluster of its own (what Localhost clustering
        // does when its primary restarts) would show only itself here.
        await using var throughFirst = await ConnectAsync([cluster.Gateways[0]]);
        await WaitForLiveNodesAsync(throughFirst, Nodes);
        var rejoinedAfter = sinceKill.Elapsed;

        var failures = attempts.Where(a => a.Error is not null).ToList();
        output.WriteLine($"cluster start {started.TotalSeconds:0.0} s");
        output.WriteLine($"after the SIGKILL of n1: {attempts.Count} write+read attempts, {failures.Count} failed"
            + (failures.Count > 0 ? $" (first at {failures[0].At.TotalSeconds:0.00} s, last at {failures[^1].At.TotalSeconds:0.00} s)" : string.Empty)
            + $"; first success at {attempts.FirstOrDefault(a => a.Error is null).At.TotalSeconds:0.00} s; "
            + $"{RequiredStreak} in a row reached; loop ended at {writableAfter.TotalSeconds:0.0} s");
        output.WriteLine(deadAfter is { } dead
            ? $"Orleans membership declared n1 dead {dead.TotalSeconds:0.0} s after the kill"
            : $"Orleans membership had not declared n1 dead {writableAfter.TotalSeconds:0.0} s after the kill");
        output.WriteLine($"n1 restarted (ready) at {restartedAfter.TotalSeconds:0.0} s, status through all gateways and through n1's showed 3 live nodes at {rejoinedAfter.TotalSeconds:0.0} s");
        var logged = logsBeforeRestart.Zip(logsAtKill, (after, before) => after - before).ToArray();
        output.WriteLine($"survivors' log output while n1 was dead ({writableAfter.TotalSeconds:0.0} s): "
            + string.Join(", ", logged.Select((chars, i) => $"n{i + 2} {chars} chars")));
        output.WriteLine("n2's log lines in that time by category (the most frequent first):");
        output.WriteLine(loggedCategories);
        output.WriteLine(DescribeAttempts(attempts));

        // Everything acknowledged before and during n1's absence reads back at R=2, through all gateways and
        // through n1's own gateway alone.
        var missing = new List<string>();
        foreach (var (key, value) in acknowledged.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var reader in new[] { client, throughFirst })
            {
                var read = await ReadAsync(reader, key);
                if (!read.Values.Select(v => Encoding.UTF8.GetString(v)).Contains(value))
                {
                    missing.Add($"{key}: {value} not among {read.Values.Count} value(s) (reader {(reader == client ? "all gateways" : "n1's gateway")})");
                }
            }
        }

        output.WriteLine($"read back {acknowledged.Count} acknowledged keys twice; wall time {wall.Elapsed.TotalSeconds:0.0} s");
        foreach (var line in missing.Take(20))
        {
            output.WriteLine("missing: " + line);
        }

        Assert.True(writtenDuring > 0 && acknowledged.Count > KeysBefore, "no key was acknowledged while n1 was dead");
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged values are missing after n1 came back:\n  " + string.Join("\n  ", missing.Take(10)));
    }

    private static int[] SurvivorLogSizes(SiloProcessCluster cluster) =>
        [.. Enumerable.Range(1, cluster.Count - 1).Select(n => cluster.OutputOf(n).Length)];

    /// <summary>Counts the log lines of a silo's console output ("warn: Category[id]") per level and category.</summary>
    private static string LogCategories(string log)
    {
        var counts = log.Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^(trce|dbug|info|warn|fail|crit): ([^\[]+)\["))
            .Where(m => m.Success)
            .GroupBy(m => $"{m.Groups[1].Value} {m.Groups[2].Value}")
            .OrderByDescending(g => g.Count())
            .Take(8)
            .Select(g => $"  {g.Count(),6} {g.Key}");
        return string.Join("\n", counts);
    }

    /// <summary>Measurement only: polls the cluster status until it shows n1 not live and returns when that was
    /// (null when stopped first).</summary>
    private static async Task<TimeSpan?> ObserveDeathAsync(GrainKvClient client, Stopwatch sinceKill, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    timeout.CancelAfter(OperationTimeout);
                    var status = await client.GetStatusAsync(timeout.Token);
                    if (status.Nodes.Any(n => n.NodeId == SiloProcessCluster.NodeId(0) && !n.IsLive))
                    {
                        return sinceKill.Elapsed;
                    }
                }
                catch (Exception ex) when (ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return null;
    }

    /// <summary>The attempts after the kill as runs of successes and failures ("0.00-3.10 s: 12 failed (TimeoutException)").</summary>
    private static string DescribeAttempts(List<(TimeSpan At, string? Error)> attempts)
    {
        var lines = new StringBuilder();
        for (var i = 0; i < attempts.Count;)
        {
            var ok = attempts[i].Error is null;
            var j = i;
            while (j + 1 < attempts.Count && (attempts[j + 1].Error is null) == ok)
            {
                j++;
            }

            var run = attempts.Skip(i).Take(j - i + 1).ToList();
            var kinds = ok ? string.Empty : " (" + string.Join(", ", run.GroupBy(a => a.Error).Select(g => $"{g.Key} x{g.Count()}")) + ")";
            lines.AppendLine($"  {run[0].At.TotalSeconds,6:0.00}-{run[^1].At.TotalSeconds,6:0.00} s: {run.Count} {(ok ? "succeeded" : "failed")}{kinds}");
            i = j + 1;
        }

        return lines.ToString();
    }

    private static readonly ReadOptions AtR2 = new() { ReadQuorum = Acks.Of(2) };

    /// <summary>Runs <paramref name="call"/> with a token cancelled after <see cref="OperationTimeout"/>.</summary>
    private static async Task<T> Bounded<T>(Func<CancellationToken, Task<T>> call)
    {
        using var timeout = new CancellationTokenSource(OperationTimeout);
        return await call(timeout.Token);
    }

    private static async Task Bounded(Func<CancellationToken, Task> call)
    {
        using var timeout = new CancellationTokenSource(OperationTimeout);
        await call(timeout.Token);
    }

    private static async Task<ReadResult> ReadAsync(GrainKvClient client, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Bounded(token => client.GetAsync(key, AtR2, token));
            }
            catch (Exception ex) when (attempt < ReadAttempts && ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
            {
            }
        }
    }

    private static Task<GrainKvClient> ConnectAsync(List<string> gateways) => GrainKvClient.ConnectAsync(new GrainKvClientOptions
    {
        Gateways = gateways,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    });

    private static Task WaitForLiveNodesAsync(GrainKvClient client, int live) => Eventually.HoldsAsync(
        async () =>
        {
            try
            {
                var status = await Bounded(client.GetStatusAsync);
                return status.Nodes.Count == live && status.Nodes.All(n => n.IsLive && n.RingState == "normal");
            }
            catch (Exception ex) when (ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
            {
                return false;
            }
        },
        ClusterBound,
        $"the cluster status shows {live} live, normal nodes");
}
