// The write state machine. The first live preference-list node (this node when it is one) creates the version:
// its replica issues the dot, serialized per key, and returns the key's whole version set. A creator that fails
// moves the request on to the next live node; a creator that does not answer within the request's deadline ends
// the request with RequestTimeoutException, because it may still store the version and a second creator would
// store the write twice. The set then goes to the other replicas (WriteCopies); the write completes once W
// replicas hold it and the remaining copies finish in the background. One deadline covers the whole request.
// Strict mode fails at once, before any version is created, when fewer than W of the top N are live. LOCAL_QUORUM
// and EACH_QUORUM count acknowledgements per datacenter instead of W (DatacenterQuorums) and fail at once, before
// any version is created, when a counted datacenter's live replicas cannot make its quorum.
// While ranges move (a node joins, is decommissioned or removed), the range's pending replicas — its owners on the
// future ring that are not owners yet — get the set too, and the write waits for those copies (or their hints):
// they count toward no quorum, but a node streaming the range thus never misses a write acknowledged meanwhile.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Coordination;

/// <summary>Coordinates quorum writes (and deletes) of one key.</summary>
public sealed class WriteCoordinator(
    IOptions<GrainKvNodeOptions> options, IRingViewSource ring, IReplicaCalls replicas, IReplicaCopies copies, GrainKvClock clock)
{
    private readonly GrainKvNodeOptions _options = options.Value;
    private readonly TimeProvider _time = clock.Time;

    /// <summary>Writes <paramref name="value"/> (null: a tombstone) to <paramref name="key"/> of <paramref name="range"/>
    /// (the caller checked the key, its range and that <paramref name="context"/> is the key's). With
    /// <paramref name="overwrite"/>, the new version also supersedes every version its creator holds for the key.
    /// Returns how many replicas made the quorum (the creator and the copies waited for) when each of them is known to
    /// hold no version the creator's set misses (the copies answered so: <see cref="IReplicaCopies.SendAsync"/>), and 0
    /// when one may (or a standby stood in); 0 too for LOCAL_QUORUM and EACH_QUORUM, which do not count them.
    /// The write ends by <paramref name="deadline"/> when given (a request of which it is a part: an overwrite's second
    /// round), otherwise <c>RequestTimeout</c> from now; given one that has passed, it asks no node to create a version
    /// (that could only time out, and might still be applied after the answer).</summary>
    public Task<int> WriteAsync(
        int range, byte[] key, byte[]? value, CausalContext context, WriteOptions request, CancellationToken cancellationToken, bool overwrite = false,
        RequestDeadline? deadline = null) =>
        WriteCoreAsync(range, key, value, context, request, overwrite, deadline ?? new RequestDeadline(_time, _options.RequestTimeout), cancellationToken);

    private async Task<int> WriteCoreAsync(
        int range, byte[] key, byte[]? value, CausalContext context, WriteOptions request, bool overwrite, RequestDeadline deadline,
        CancellationToken cancellationToken)
    {
        if (deadline.Remaining == TimeSpan.Zero)
        {
            throw new RequestTimeoutException(
                $"The request's deadline ({_options.RequestTimeout.TotalMilliseconds:0} ms) passed before this write started, so it was not made " +
                "(an overwrite's first write of the value may have been). Read the key to find out.");
        }

        var view = ring.Current;
        var acks = DatacenterQuorums.AcksOf(request.WriteQuorum, request.Consistency, "W");
        if (request.Consistency is { } level && level.IsPerDatacenter())
        {
            await WritePerDatacenterAsync(view, range, key, value, context, request.Replicas, level, request.TimeToLive, deadline, cancellationToken);
            return 0;
        }

        var (n, required) = RequestRules.Resolve(request.Replicas, acks, _options.ReplicationFactor, _options.WriteQuorum);
        var mode = request.Mode ?? _options.Mode;
        var nodes = view.PreferenceList(range, n);
        if (nodes.Count < required)
        {
            throw new NotEnoughReplicasException(required, 0, $"Only {nodes.Count} node(s) are on the ring.");
        }

        if (mode == CapMode.Strict && nodes.Count(view.IsLive) is var reachable && reachable < required)
        {
            throw new NotEnoughReplicasException(required, reachable, $"strict mode: {reachable} of the key's {nodes.Count} replicas are reachable.");
        }

        var (creator, set, failures) = await CreateVersionAsync(view, range, nodes, key, value, context, request.TimeToLive, overwrite, deadline, cancellationToken);
        if (set is null)
        {
            throw new NotEnoughReplicasException(required, 0, failures);
        }

        var pending = view.PendingReplicas(range, n) is { Count: > 0 } future ? CopyToPendingAsync(view, future, range, key, set) : Task.CompletedTask;
        if (nodes.Count == 1)
        {
            // The creator is the key's only replica and its answer the whole quorum (required ≤ N = 1): no copy to
            // send, so no standby can be needed either.
            await pending;
            return 1;
        }

        var writeCopies = new WriteCopies(
            copies, view, range, key, set, nodes.Where(node => node != creator), mode == CapMode.Sloppy ? view.Standbys(range, n) : []);
        await writeCopies.StartAsync();
        List<ReplicaAnswer<bool>> answers;
        try
        {
            answers = await QuorumWait.WaitAsync(
                view, writeCopies.Candidates, writeCopies.SendAsync, new QuorumPlan(required - 1, writeCopies.Initial), deadline.Remaining, _time,
                cancellationToken, []);
        }
        catch (NotEnoughReplicasException ex)
        {
            throw new NotEnoughReplicasException(required, ex.Answered + 1, ex.Message);
        }

        await pending;
        foreach (var answer in answers)
        {
            if (!answer.Value)
            {
                return 0;
            }
        }

        return 1 + answers.Count;
    }

    /// <summary>LOCAL_QUORUM and EACH_QUORUM: fails at once when a counted datacenter's live replicas are fewer than its
    /// quorum; otherwise a replica of this datacenter (for LOCAL_QUORUM, only one of this datacenter) creates the version,
    /// the set goes to every other replica, and the write completes once each counted datacenter has its quorum (the
    /// creator counts in its own). Replicas of other datacenters get their copies in the background; replicas known
    /// down get hints kept here. No standbys.</summary>
    private async Task WritePerDatacenterAsync(
        RingView view, int range, byte[] key, byte[]? value, CausalContext context, int? replicaCount, ConsistencyLevel level,
        TimeSpan? timeToLive, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        var (n, _) = RequestRules.Resolve(replicaCount, Acks.One, _options.ReplicationFactor, 1);
        var nodes = view.PreferenceList(range, n);
        var groups = DatacenterQuorums.Groups(view, nodes, level, _options.Datacenter);
        DatacenterQuorums.ThrowIfShort(view, groups, level);

        var creators = level == ConsistencyLevel.LocalQuorum ? groups[0].Nodes : nodes;
        var (creator, set, failures) = await CreateVersionAsync(view, range, creators, key, value, context, timeToLive, overwrite: false, deadline, cancellationToken);
        if (set is null || creator is null)
        {
            throw new DatacenterQuorumException(level, groups[0].Datacenter, groups[0].Required, 0, knownBeforehand: false, failures);
        }

        var writeCopies = new WriteCopies(copies, view, range, key, set, nodes.Where(node => node != creator), []);
        await writeCopies.StartAsync();
        var counted = groups.SelectMany(g => g.Nodes).ToHashSet(StringComparer.Ordinal);
        foreach (var node in writeCopies.Candidates.Where(c => !counted.Contains(c)))
        {
            // Not waited for; a copy that fails is kept as a hint by the copies themselves.
            _ = writeCopies.SendAsync(node);
        }

        var pending = view.PendingReplicas(range, n) is { Count: > 0 } future ? CopyToPendingAsync(view, future, range, key, set) : Task.CompletedTask;
        int Credit(QuorumGroup group) => group.Nodes.Contains(creator) ? 1 : 0;
        await DatacenterQuorums.WaitAllAsync(
            groups,
            level,
            group =>
            {
                var candidates = writeCopies.Candidates.Where(group.Nodes.Contains).ToList();
                var plan = new QuorumPlan(group.Required - Credit(group), candidates.Count);
                return QuorumWait.WaitAsync(view, candidates, writeCopies.SendAsync, plan, deadline.Remaining, _time, cancellationToken, []);
            },
            Credit);
        await pending;
    }

    /// <summary>Sends the set to each pending replica (a live one directly, a down one as a hint kept here); completes
    /// once each copy arrived or became a hint.</summary>
    private Task CopyToPendingAsync(RingView view, IReadOnlyList<string> pending, int range, byte[] key, StoredVersion[] set) =>
        Task.WhenAll(pending.Select(async node =>
        {
            try
            {
                if (view.IsLive(node))
                {
                    await copies.SendAsync(node, range, key, set);
                }
                else
                {
                    await copies.KeepHintAsync(node, range, key, set);
                }
            }
            catch (Exception)
            {
                // A copy that did not arrive was kept as a hint for the node (ReplicaCopies).
            }
        }));

    /// <summary>Asks the live preference-list nodes in order (this node first if it is one) to create the version,
    /// and returns the creator's version set. A node that fails moves the request on to the next one; a node that
    /// does not answer in time ends the request (it may still create the version, and a second creator would store
    /// the write twice).</summary>
    private async Task<(string? Node, StoredVersion[]? Versions, string Failures)> CreateVersionAsync(
        RingView view, int range, IReadOnlyList<string> nodes, byte[] key, byte[]? value, CausalContext context, TimeSpan? timeToLive, bool overwrite,
        RequestDeadline deadline, CancellationToken cancellationToken)
    {
        List<string>? errors = null;
        foreach (var node in RequestRules.ContactOrder(view, nodes, replicas.LocalNode, _options.Datacenter))
        {
            if (!view.IsLive(node))
            {
                (errors ??= []).Add($"node '{node}' is down");
                continue;
            }

            try
            {
                var set = await replicas.Coordinate(node, range, key, value, context, timeToLive, overwrite).WaitAsync(deadline.Remaining, _time, cancellationToken);
                return (node, set, "");
            }
            catch (TimeoutException)
            {
                throw new RequestTimeoutException(
                    $"Node '{node}' did not create the new version within {_options.RequestTimeout.TotalMilliseconds:0} ms; the write may still be applied. Read the key to find out.");
            }
            catch (Exception ex) when (ex is not (WrongRangeException or ContextMismatchException or InvalidRequestException or OperationCanceledException))
            {
                (errors ??= []).Add($"node '{node}': {ex.Message}");
            }
        }

        return (null, null, string.Join("; ", errors ?? []));
    }
}
