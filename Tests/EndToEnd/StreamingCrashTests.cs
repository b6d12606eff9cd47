// Range streaming survives a SIGKILL of either side (real silo processes, Redis membership, N=3/W=2/R=2, streaming
// throttled to 1 MiB/s so that the kill lands mid-transfer):
//  - the receiving side: a fourth node bootstrapping is killed while it streams, started again on its data
//    directory, resumes and becomes a normal node;
//  - the sending side: a node being decommissioned is killed while its ranges stream out; the nodes taking them over
//    complete from the other replicas, and the node leaves the ring.
// Afterwards every acknowledged key reads back at R=2 with its value.

using System.Text;
using GrainKV.Client;
using GrainKV.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GrainKV.Tests.EndToEnd;

[Collection(nameof(ClusterCrashTests))]   // real processes: never beside the other crash tests on a 2-core machine
[Trait("Category", "Crash")]
public sealed class StreamingCrashTests(ITestOutputHelper output)
{
    private const int Keys = 1_500;
    private static readonly string Padding = new('x', 2_000);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);

    private static readonly string[] NodeArguments =
    [
        "--GrainKV:ReplicationFactor=3",
        "--GrainKV:WriteQuorum=2",
        "--GrainKV:ReadQuorum=2",
        "--GrainKV:Streaming:MaxBytesPerSecond=1048576",
        "--GrainKV:Streaming:BatchBytes=65536",
    ];

    [Fact]
    public async Task ABootstrappingNodeKilledWhileItStreamsResumesAndCompletesWithNothingLost()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await SiloProcessCluster.StartWithRedisAsync(4, NodeArguments, redis.ConnectionString, running: 3);
        await using var client = await ConnectAsync(cluster.Gateways[..3]);
        await WaitForAsync(client, s => s.Nodes.Count == 3 && s.Nodes.All(n => n.IsLive && n.RingState == "normal"), "three normal live nodes");
        var written = await WriteAsync(client);

        await cluster.RestartAsync(3, untilServing: false); // a joining node serves only once its ranges are in
        var joiner = SiloProcessCluster.NodeId(3);
        var seen = await WaitForAsync(
            client,
            s => s.Transfers.Any(t => t.NodeId == joiner && t.RingState == "joining" && t.KeysReceived >= 300 && t.RangesPending > 0),
            $"{joiner} streaming its ranges");
        var before = seen.Transfers.Single(t => t.NodeId == joiner);
        await cluster.KillAsync(3);
        output.WriteLine($"killed {joiner} while joining: {before.KeysReceived} keys received, {before.RangesPending} of {before.RangesOwned} ranges pending");

        await cluster.RestartAsync(3, untilServing: false);
        var done = await WaitForAsync(
            client,
            s => s.Nodes.Count == 4 && s.Nodes.All(n => n.IsLive && n.RingState == "normal") && s.Transfers.Count == 4 && s.Transfers.All(t => t.RangesPending == 0),
            $"{joiner} normal, every transfer complete");
        var after = done.Transfers.Single(t => t.NodeId == joiner);
        output.WriteLine($"after the restart {joiner} received {after.KeysReceived} keys ({after.KeysAdded} new to it) and holds its {after.RangesOwned} ranges");
        Assert.Contains("holds all its", cluster.OutputOf(3), StringComparison.Ordinal);
        await CheckAsync(client, written);
    }

    [Fact]
    public async Task ADecommissionedNodeKilledWhileItsRangesStreamOutStillLeavesWithNothingLost()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await SiloProcessCluster.StartWithRedisAsync(4, NodeArguments, redis.ConnectionString);
        await using var client = await ConnectAsync(cluster.Gateways);
        await WaitForAsync(client, s => s.Nodes.Count == 4 && s.Nodes.All(n => n.IsLive && n.RingState == "normal"), "four normal live nodes");
        var written = await WriteAsync(client);

        var leaving = SiloProcessCluster.NodeId(3);
        await client.DecommissionNodeAsync(leaving);
        var seen = await WaitForAsync(
            client, s => s.Transfers.Where(t => t.NodeId != leaving).Sum(t => t.KeysReceived) > 0 && s.Transfers.Any(t => t.RangesPending > 0), "ranges streaming out");
        await cluster.KillAsync(3);
        output.WriteLine($"killed {leaving} while leaving: {seen.Transfers.Where(t => t.NodeId != leaving).Sum(t => t.KeysReceived)} keys received by the others");

        await WaitForAsync(
            client,
            s => s.Nodes.Count == 3 && s.Nodes.All(n => n.IsLive && n.RingState == "normal") && s.Transfers.Count == 3 && s.Transfers.All(t => t.RangesPending == 0),
            $"{leaving} off the ring, every transfer complete");
        await CheckAsync(client, written);
    }

    private static async Task<Dictionary<string, string>> WriteAsync(GrainKvClient client)
    {
        var written = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Enumerable.Range(0, Keys), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var (key, value) = ($"stream-{i}", $"{i}-{Padding}");
            using var bound = new CancellationTokenSource(CallBound);
            await client.PutAsync(key, value, cancellationToken: bound.Token);
            written[key] = value;
        });
        return new Dictionary<string, string>(written, StringComparer.Ordinal);
    }

    private static async Task CheckAsync(GrainKvClient client, Dictionary<string, string> written)
    {
        var wrong = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Parallel.ForEachAsync(written, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pair, _) =>
        {
            using var bound = new CancellationTokenSource(CallBound);
            var result = await client.GetAsync(pair.Key, new ReadOptions { ReadQuorum = Acks.Quorum }, bound.Token);
            if (!result.Found || result.Values.Count != 1 || Encoding.UTF8.GetString(result.Values[0]) != pair.Value)
            {
                wrong.Enqueue(pair.Key);
            }
        });
        Assert.True(wrong.IsEmpty, $"{wrong.Count} of {written.Count} acknowledged keys did not read back at R=2, e.g. {string.Join(", ", wrong.Take(5))}");
    }

    private static async Task<ClusterStatus> WaitForAsync(GrainKvClient client, Func<ClusterStatus, bool> condition, string what)
    {
        ClusterStatus? last = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    using var bound = new CancellationTokenSource(CallBound);
                    last = await client.GetStatusAsync(bound.Token);
                    return condition(last);
                }
                catch (Exception ex) when (ex is GrainKvException or TimeoutException or OperationCanceledException or OrleansException)
                {
                    return false;
                }
            },
            Bound,
            what);
        return last!;
    }

    private static Task<GrainKvClient> ConnectAsync(List<string> gateways) => GrainKvClient.ConnectAsync(new GrainKvClientOptions
    {
        Gateways = gateways,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    });
}
