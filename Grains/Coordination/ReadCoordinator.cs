// The read state machine: asks R of the key's N replicas (this node's first, then in preference order),
// asking the next one whenever one fails and all the remaining ones if the quorum is not in after the
// speculation delay (QuorumWait). In sloppy mode, when fewer than R replicas answer, the standbys are asked
// for the hints they keep for the silent ones, within what is left of the request's deadline. Answers once R
// have answered (ReadCore merges them), then repairs whichever replica asked is stale, in the background, once
// every replica asked has answered. A fraction of reads (ReadRepairChance) and every read at R = N asks all N.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Coordination;

/// <summary>Coordinates quorum reads of one key.</summary>
public sealed partial class ReadCoordinator(
    IOptions<GrainKvNodeOptions> options, IRingViewSource ring, IReplicaCalls replicas, IReplicaCopies copies, GrainKvClock clock,
    GrainKvMetrics metrics, ILogger<ReadCoordinator> logger)
{
    private readonly GrainKvNodeOptions _options = options.Value;
    private readonly TimeProvider _time = clock.Time;
    private readonly ILogger<ReadCoordinator> _logger = logger;

    /// <summary>Reads <paramref name="key"/> of <paramref name="range"/> (the caller checked that the key is the range's).</summary>
    public async Task<ReadResult> ReadAsync(int range, byte[] key, ReadOptions request, CancellationToken cancellationToken)
    {
        var view = ring.Current;
        var (n, required) = RequestRules.Resolve(request.Replicas, request.ReadQuorum, _options.ReplicationFactor, _options.ReadQuorum);
        var nodes = RequestRules.ContactOrder(view, view.PreferenceList(range, n), replicas.LocalNode);
        var everyReplica = ReadCore.AsksEveryReplica(required, nodes.Count, _options.ReadRepairChance, Random.Shared);
        var plan = new QuorumPlan(required, everyReplica ? nodes.Count : required, _options.SpeculativeReadDelay);
        var deadline = new RequestDeadline(_time, _options.RequestTimeout);
        var calls = new List<Task<ReplicaAnswer<StoredVersion[]>>>(nodes.Count);
        List<ReplicaAnswer<StoredVersion[]>> answers;
        try
        {
            answers = await QuorumWait.WaitAsync(
                view, nodes, node => replicas.Read(node, range, key), plan, deadline.Timeout, _time, cancellationToken, calls);
        }
        catch (NotEnoughReplicasException) when ((request.Mode ?? _options.Mode) == CapMode.Sloppy && view.Standbys(range, n).Any(view.IsLive))
        {
            answers = await ReadFromStandbysAsync(view, range, key, n, required, nodes, calls, deadline, cancellationToken);
        }

        var merged = ReadCore.Merge(answers);
        if (ReadCore.MayNeedRepair(calls.Count, answers, merged))
        {
            _ = RepairAsync(range, key, calls);
        }

        return ReadCore.Result(key, merged);
    }

    /// <summary>Sloppy reads: too few of the key's replicas answered, so the standbys that may hold hinted copies for
    /// the silent ones are asked for them, and their answers count toward R.</summary>
    private async Task<List<ReplicaAnswer<StoredVersion[]>>> ReadFromStandbysAsync(
        RingView view, int range, byte[] key, int n, int required, IReadOnlyList<string> nodes,
        List<Task<ReplicaAnswer<StoredVersion[]>>> calls, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        var answers = calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToList();
        var silent = ReadCore.Silent(nodes, answers);
        var standbys = view.Standbys(range, n);
        var missing = required - answers.Count;
        var more = await QuorumWait.WaitAsync(
            view, standbys, node => replicas.ReadHints(node, silent, range, key),
            new QuorumPlan(missing, Math.Min(standbys.Count, missing)), deadline.Remaining, _time, cancellationToken, []);
        answers.AddRange(more);
        return answers;
    }

    /// <summary>After a read: once every replica asked has answered (or timed out), brings the stale ones up to date.
    /// Copies that fail are kept as hints (<see cref="IReplicaCopies"/>).</summary>
    private async Task RepairAsync(int range, byte[] key, List<Task<ReplicaAnswer<StoredVersion[]>>> calls)
    {
        try
        {
            await Task.WhenAll(calls).WaitAsync(_options.RequestTimeout, _time);
        }
        catch (Exception)
        {
            // Replicas that failed or did not answer are not compared.
        }

        var answers = calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToArray();
        var merged = ReadCore.Merge(answers);
        foreach (var stale in ReadCore.Stale(answers, merged))
        {
            try
            {
                await copies.SendAsync(stale, range, key, merged);
                metrics.ReadRepairs.Add(1, new KeyValuePair<string, object?>("outcome", "ok"));
                LogRepaired(stale, range);
            }
            catch (Exception ex)
            {
                metrics.ReadRepairs.Add(1, new KeyValuePair<string, object?>("outcome", "hinted"));
                LogRepairFailed(ex, stale, range);
            }
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Read repair brought node {NodeId} up to date in range {Range}")]
    private partial void LogRepaired(string nodeId, int range);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Read repair of node {NodeId} in range {Range} failed; the copy is kept as a hint")]
    private partial void LogRepairFailed(Exception exception, string nodeId, int range);
}
