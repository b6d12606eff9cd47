// The read state machine: asks R of the key's N replicas (this node's first, then in preference order),
// asking the next one whenever one fails and all the remaining ones if the quorum is not in after the
// speculation delay (QuorumWait). The first replica is asked for the versions with their values, the others for
// their headers only (as Cassandra's digest reads do): a replica whose headers hold a version the values do not
// cover is then read again with values (ResolveHeadersAsync), and replaced by another live replica if that
// fails. In sloppy mode, when fewer than R replicas answer, the standbys are asked for the hints they keep for the
// silent ones, within what is left of the request's deadline. Answers once R have answered (ReadCore merges them),
// then repairs whichever replica asked is stale, in the background, once every replica asked has answered — for the
// versions it lacks that are at least ReadRepairMinAge old: a younger one is still on its way with its write. A
// fraction of reads (ReadRepairChance) and every read at R = N asks all N.
// Replicas in this node's datacenter are asked before the others. LOCAL_QUORUM reads ask only this datacenter's
// replicas; EACH_QUORUM reads run one such round per datacenter (DatacenterQuorums).
// Expired versions are left out of the answer by ReadCore at this node's expiry clock, whichever path (replicas or
// hints) brought them; repairs compare stored writes, in which an expired version is still a version.
// An overwrite's read (ReadContextAsync) runs the same round for the causal context only: the replicas answer their
// versions' headers at once, and nothing is repaired (the write that follows reaches every replica).

using GrainKV.Grains.Expiry;
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
    ExpiryClock expiry, GrainKvMetrics metrics, ILogger<ReadCoordinator> logger)
{
    private readonly GrainKvNodeOptions _options = options.Value;
    private readonly TimeProvider _time = clock.Time;
    private readonly ILogger<ReadCoordinator> _logger = logger;

    /// <summary>Reads <paramref name="key"/> of <paramref name="range"/> (the caller checked that the key is the range's).</summary>
    public async Task<ReadResult> ReadAsync(int range, byte[] key, ReadOptions request, CancellationToken cancellationToken)
    {
        var round = await ReadVersionsAsync(range, key, request, withValues: true, new RequestDeadline(_time, _options.RequestTimeout), cancellationToken);
        if (ReadCore.MayNeedRepair(round.Calls.Count, round.Answers, round.Merged, round.HeaderNodes, RepairedBeforeMs()))
        {
            _ = RepairAsync(range, key, round);
        }

        return ReadCore.Result(key, round.Merged, expiry.NowMs);
    }

    /// <summary>The causal context of <paramref name="key"/> as a read at <paramref name="request"/>'s quorum sees it: what
    /// a write superseding every version that read finds (an overwrite) takes. The replicas answer the versions'
    /// headers, at once (no values, no wait for durability); nothing is repaired, since the write that follows sends
    /// its whole version set to every replica. It ends by <paramref name="deadline"/>, the deadline of the overwrite it
    /// is a part of.</summary>
    public async Task<CausalContext> ReadContextAsync(int range, byte[] key, ReadOptions request, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        var round = await ReadVersionsAsync(range, key, request, withValues: false, deadline, cancellationToken);
        return ReadCore.ContextOf(key, round.Merged);
    }

    /// <summary>One read's quorum round (per datacenter for LOCAL_QUORUM and EACH_QUORUM): the calls started, the answers
    /// that made the quorum and their merge.</summary>
    private async ValueTask<ReadRound> ReadVersionsAsync(
        int range, byte[] key, ReadOptions request, bool withValues, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        var view = ring.Current;
        var acks = DatacenterQuorums.AcksOf(request.ReadQuorum, request.Consistency, "R");
        if (request.Consistency is { } level && level.IsPerDatacenter())
        {
            return await ReadPerDatacenterAsync(view, range, key, request.Replicas, level, withValues, deadline, cancellationToken);
        }

        var (n, required) = RequestRules.Resolve(request.Replicas, acks, _options.ReplicationFactor, _options.ReadQuorum);
        var nodes = RequestRules.ContactOrder(view, view.PreferenceList(range, n), replicas.LocalNode, _options.Datacenter);
        var plan = new QuorumPlan(required, AsksEveryReplica(required, nodes.Count, withValues) ? nodes.Count : required, _options.SpeculativeReadDelay);
        var calls = new List<Task<ReplicaAnswer<StoredVersion[]>>>(nodes.Count);

        // A values read asks the first replica of the contact order (this node, when it holds one) for the versions with
        // their values and the others for their headers only: no values on the wire, no wait for durability there. A
        // replica whose headers show a version the values do not cover is read again, with values (ResolveHeadersAsync).
        var valuesFrom = withValues && nodes.Count > 1 ? nodes[0] : null;
        List<ReplicaAnswer<StoredVersion[]>> answers;
        try
        {
            answers = await QuorumWait.WaitAsync(
                view, nodes, node => replicas.Read(node, range, key, valuesFrom is null ? withValues : node == valuesFrom), plan, deadline.Remaining, _time,
                cancellationToken, calls);
        }
        catch (NotEnoughReplicasException) when ((request.Mode ?? _options.Mode) == CapMode.Sloppy && view.Standbys(range, n).Any(view.IsLive))
        {
            answers = await ReadFromStandbysAsync(view, range, key, n, required, nodes, calls, deadline, cancellationToken);
        }

        if (valuesFrom is null)
        {
            return new ReadRound(calls, answers, ReadCore.Merge(answers));
        }

        return await ResolveHeadersAsync(view, range, key, calls, answers, new HeaderReplicas(nodes, valuesFrom), required, deadline, cancellationToken);
    }

    /// <summary>A values read's quorum is in: the answers with values (the values replica's, standbys' hints) make the
    /// merge, which answers the read when it covers every replica's headers (ReadCore.Covers); the replicas whose headers
    /// hold a version it does not cover (a write the values replica has not received yet, or all of them when that replica
    /// failed) are read again with values, within the request's deadline, and their versions merged in. A replica that
    /// then fails leaves the quorum, and live replicas not yet in it are asked for their values in its place, as a failed
    /// replica is replaced in the first round; the read fails when none is left or the deadline passes.</summary>
    private async ValueTask<ReadRound> ResolveHeadersAsync(
        RingView view, int range, byte[] key, List<Task<ReplicaAnswer<StoredVersion[]>>> calls, List<ReplicaAnswer<StoredVersion[]>> answers,
        HeaderReplicas headerNodes, int required, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        var withValues = new List<ReplicaAnswer<StoredVersion[]>>(answers.Count);
        foreach (var answer in answers)
        {
            if (!headerNodes.Contains(answer.NodeId))
            {
                withValues.Add(answer);
            }
        }

        var merged = ReadCore.Merge(withValues);
        List<string>? uncovered = null;
        foreach (var answer in answers)
        {
            if (headerNodes.Contains(answer.NodeId) && !ReadCore.Covers(merged, answer.Value))
            {
                (uncovered ??= []).Add(answer.NodeId);
            }
        }

        if (uncovered is null)
        {
            return new ReadRound(calls, answers, merged, headerNodes);
        }

        var inQuorum = answers.Count - uncovered.Count;
        List<string>? failures = null;
        HashSet<string>? seen = null;
        var ask = uncovered;
        while (true)
        {
            var reads = ask.Select(node => ReadValuesAsync(view, node, range, key)).ToArray();
            try
            {
                await Task.WhenAll(reads).WaitAsync(deadline.Remaining, _time, cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Each read's own outcome is looked at below; one still running means the deadline passed.
                if (!reads.All(r => r.IsCompleted))
                {
                    throw Short("the request's deadline passed");
                }
            }

            for (var i = 0; i < reads.Length; i++)
            {
                if (reads[i].IsCompletedSuccessfully)
                {
                    var answer = reads[i].Result;
                    withValues.Add(answer);
                    if (!uncovered.Contains(answer.NodeId))
                    {
                        answers.Add(answer);
                    }

                    inQuorum++;
                }
                else
                {
                    answers.RemoveAll(a => a.NodeId == ask[i]);
                    (failures ??= []).Add($"{ask[i]} did not answer its values ({reads[i].Exception?.GetBaseException().Message})");
                }
            }

            if (inQuorum >= required)
            {
                return new ReadRound(calls, answers, ReadCore.Merge(withValues), headerNodes);
            }

            // Replacements: replicas neither in the quorum nor failed in the first round (QuorumWait calls the contact
            // order in order, so calls[i] is headerNodes.Nodes[i]'s) nor asked for their values here.
            if (seen is null)
            {
                seen = new HashSet<string>(answers.Select(a => a.NodeId).Concat(uncovered), StringComparer.Ordinal);
                for (var i = 0; i < calls.Count && i < headerNodes.Nodes.Count; i++)
                {
                    if (calls[i] is { IsCompleted: true, IsCompletedSuccessfully: false })
                    {
                        seen.Add(headerNodes.Nodes[i]);
                    }
                }
            }

            ask = headerNodes.Nodes.Where(node => view.IsLive(node) && seen.Add(node)).Take(required - inQuorum).ToList();
            if (ask.Count < required - inQuorum)
            {
                throw Short("no other live replica to ask");
            }
        }

        NotEnoughReplicasException Short(string reason) => new(required, inQuorum, string.Join("; ", (failures ?? []).Append(reason)));
    }

    /// <summary>One replica's versions with their values, or a failure naming it.</summary>
    private async Task<ReplicaAnswer<StoredVersion[]>> ReadValuesAsync(RingView view, string node, int range, byte[] key) =>
        view.IsLive(node)
            ? new ReplicaAnswer<StoredVersion[]>(node, await replicas.Read(node, range, key))
            : throw new ReplicaUnavailableException(node, $"node '{node}' is down");

    /// <summary>Versions created before this (Unix milliseconds), i.e. at least ReadRepairMinAge ago, are repaired;
    /// long.MaxValue: all.</summary>
    private long RepairedBeforeMs() =>
        _options.ReadRepairMinAge > TimeSpan.Zero
            ? _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.ReadRepairMinAge.TotalMilliseconds + 1
            : long.MaxValue;

    /// <summary>Whether a round asks all <paramref name="count"/> replicas at once: at R = N, and for a fraction of reads
    /// (ReadRepairChance) so that stale replicas are found and repaired — which a read of headers never does.</summary>
    private bool AsksEveryReplica(int required, int count, bool withValues) =>
        ReadCore.AsksEveryReplica(required, count, withValues ? _options.ReadRepairChance : 0, Random.Shared);

    /// <summary>LOCAL_QUORUM and EACH_QUORUM: a quorum of each counted datacenter's replicas (this node's datacenter
    /// only, or every one holding replicas), asked as a plain read asks R of N; no standbys. Fails at once when a
    /// datacenter's live replicas are too few, and as soon as one datacenter's round falls short.</summary>
    private async ValueTask<ReadRound> ReadPerDatacenterAsync(
        RingView view, int range, byte[] key, int? replicaCount, ConsistencyLevel level, bool withValues, RequestDeadline deadline,
        CancellationToken cancellationToken)
    {
        var (n, _) = RequestRules.Resolve(replicaCount, Acks.One, _options.ReplicationFactor, 1);
        var groups = DatacenterQuorums.Groups(view, view.PreferenceList(range, n), level, _options.Datacenter);
        DatacenterQuorums.ThrowIfShort(view, groups, level);
        var started = groups.ToDictionary(g => g, _ => new List<Task<ReplicaAnswer<StoredVersion[]>>>());
        var answers = await DatacenterQuorums.WaitAllAsync(
            groups,
            level,
            group =>
            {
                var nodes = RequestRules.ContactOrder(view, group.Nodes, replicas.LocalNode, _options.Datacenter);
                var plan = new QuorumPlan(group.Required, AsksEveryReplica(group.Required, nodes.Count, withValues) ? nodes.Count : group.Required, _options.SpeculativeReadDelay);
                return QuorumWait.WaitAsync(
                    view, nodes, node => replicas.Read(node, range, key, withValues), plan, deadline.Remaining, _time, cancellationToken, started[group]);
            },
            _ => 0);

        return new ReadRound(started.Values.SelectMany(c => c).ToList(), answers, ReadCore.Merge(answers));
    }

    /// <summary>Sloppy reads: too few of the key's replicas answered, so the standbys that may hold hinted copies for
    /// the silent ones are asked for them, and their answers count toward R.</summary>
    private async Task<List<ReplicaAnswer<StoredVersion[]>>> ReadFromStandbysAsync(
        RingView view, int range, byte[] key, int n, int required, IReadOnlyList<string> nodes,
        List<Task<ReplicaAnswer<StoredVersion[]>>> calls, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        var answers = calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToList();
        var silent = ReadCore.Silent(nodes, answers);
        var all = view.Standbys(range, n);
        var standbys = RequestRules.StandbyOrder(view, all.Where(view.IsLive).ToList(), silent);
        standbys.AddRange(all.Where(s => !view.IsLive(s)));
        var missing = required - answers.Count;
        var more = await QuorumWait.WaitAsync(
            view, standbys, node => replicas.ReadHints(node, silent, range, key),
            new QuorumPlan(missing, Math.Min(standbys.Count, missing)), deadline.Remaining, _time, cancellationToken, []);
        answers.AddRange(more);
        return answers;
    }

    /// <summary>After a read: once every replica asked has answered (or timed out), brings the stale ones up to date
    /// with the read's merge and any later answer with values. Copies that fail are kept as hints
    /// (<see cref="IReplicaCopies"/>).</summary>
    private async Task RepairAsync(int range, byte[] key, ReadRound round)
    {
        try
        {
            await Task.WhenAll(round.Calls).WaitAsync(_options.RequestTimeout, _time);
        }
        catch (Exception)
        {
            // Replicas that failed or did not answer are not compared.
        }

        var answers = round.Calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToArray();
        var merged = VersionSet.Merge(
            round.Merged.Concat(answers.Where(a => round.HeaderNodes?.Contains(a.NodeId) != true).SelectMany(a => a.Value)));
        foreach (var stale in ReadCore.Stale(answers, merged, round.HeaderNodes, RepairedBeforeMs()))
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

/// <summary>A read's quorum round: every call started, the answers that made the quorum, their merge (with values for a
/// values read), and the replicas asked for their headers only (null when every replica was asked alike).</summary>
internal readonly record struct ReadRound(
    List<Task<ReplicaAnswer<StoredVersion[]>>> Calls, IReadOnlyCollection<ReplicaAnswer<StoredVersion[]>> Answers, StoredVersion[] Merged,
    HeaderReplicas? HeaderNodes = null);
