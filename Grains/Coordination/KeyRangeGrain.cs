// The coordinator of one key range: quorum reads and writes over the range's preference list.
//
// It is a stateless worker, so it runs on the node that received the request (for a client, its
// gateway) and no request is forwarded to another node first. Dynamo lets any node coordinate a read;
// a write's new version is created on the first live preference-list node, this node when it is one,
// so the version's dot always names a replica of the key.
//
// Write: that node creates the version (its replica issues the dot, serialized per key) and returns the key's
// whole version set, which is sent to the other replicas; the write completes once W replicas hold it, and
// the remaining copies finish in the background, bounded per destination (ReplicaCopies). A copy that fails
// or cannot be sent is kept as a hint and delivered later. One deadline (RequestTimeout) covers the request.
// Read: asks R of the N replicas (this node's first, then in preference order), asking the next one
// whenever one fails, and all the remaining ones if the quorum is not in after the speculation delay;
// answers once R have answered, merging their versions (concurrent ones are returned as siblings), and
// repairs whichever of the replicas asked is stale. A fraction of reads (ReadRepairChance) and every
// read at R = N asks all N replicas, so replicas that reads skip are repaired too.

using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replication;
using GrainKV.Partitioning;
using GrainKV.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace GrainKV.Grains.Coordination;

/// <summary>Client-facing grain of one key range.</summary>
[StatelessWorker]
[Reentrant]
public sealed partial class KeyRangeGrain : Grain, IKeyRangeGrain
{
    private readonly GrainKvNodeOptions _options;
    private readonly RingService _ring;
    private readonly ReplicaRouter _replicas;
    private readonly ReplicaCopies _copies;
    private readonly HintStore _hints;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyRangeGrain> _logger;

    public KeyRangeGrain(
        IOptions<GrainKvNodeOptions> options, RingService ring, ReplicaRouter replicas, ReplicaCopies copies, HintStore hints, GrainKvClock clock,
        ILogger<KeyRangeGrain> logger)
    {
        _copies = copies;
        _hints = hints;
        _options = options.Value;
        _ring = ring;
        _replicas = replicas;
        _time = clock.Time;
        _logger = logger;
    }

    private int Range => (int)this.GetPrimaryKeyLong();

    public async Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        var view = _ring.Current;
        var (replicas, required) = Resolve(options.Replicas, options.ReadQuorum, _options.ReadQuorum);
        var nodes = ContactOrder(view, view.PreferenceList(Range, replicas));
        var everyReplica = required >= nodes.Count || (_options.ReadRepairChance > 0 && Random.Shared.NextDouble() < _options.ReadRepairChance);
        var plan = new QuorumPlan(required, everyReplica ? nodes.Count : required, _options.SpeculativeReadDelay);
        var range = Range;
        var calls = new List<Task<ReplicaAnswer<StoredVersion[]>>>(nodes.Count);
        var answers = await QuorumWait.WaitAsync(
            view, nodes, node => _replicas.Read(node, range, key), plan, _options.RequestTimeout, _time, cancellationToken, calls);
        var merged = VersionSet.Merge(answers.SelectMany(a => a.Value));
        if (calls.Count > answers.Count || answers.Exists(a => !VersionSet.SameSet(a.Value, merged)))
        {
            _ = RepairAsync(key, calls);
        }

        var context = merged.Length == 0 ? CausalContext.Empty : CausalContext.For(key, VersionSet.Context(merged));
        return new ReadResult(merged.Where(v => !v.IsTombstone).Select(v => v.Value!).ToArray(), context);
    }

    public Task Put(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken)
    {
        KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
        return WriteAsync(key, value, context, options, cancellationToken);
    }

    public Task Delete(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        WriteAsync(key, null, context, options, cancellationToken);

    private async Task WriteAsync(byte[] key, byte[]? value, CausalContext context, WriteOptions options, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        context.ClockFor(key);
        var started = _time.GetTimestamp();
        var view = _ring.Current;
        var (replicas, required) = Resolve(options.Replicas, options.WriteQuorum, _options.WriteQuorum);
        var nodes = view.PreferenceList(Range, replicas);
        if (nodes.Count < required)
        {
            throw new NotEnoughReplicasException(required, 0, $"Only {nodes.Count} node(s) are on the ring.");
        }

        var (coordinator, set, failures) = await CreateVersionAsync(view, nodes, key, value, context, started, cancellationToken);
        if (set is null)
        {
            throw new NotEnoughReplicasException(required, 0, failures);
        }

        // The creator's whole set goes to the others; a replica known to be down gets it as a hint at once.
        var range = Range;
        var others = new List<string>(nodes.Count);
        foreach (var node in nodes)
        {
            if (node == coordinator)
            {
                continue;
            }

            if (view.IsLive(node))
            {
                others.Add(node);
            }
            else
            {
                await _hints.AddAsync(node, range, key, set);
            }
        }

        try
        {
            await QuorumWait.WaitAsync(
                view, others, node => _copies.SendAsync(node, range, key, set),
                new QuorumPlan(required - 1, others.Count), Remaining(started), _time, cancellationToken, []);
        }
        catch (NotEnoughReplicasException ex)
        {
            throw new NotEnoughReplicasException(required, ex.Answered + 1, ex.Message);
        }
    }

    /// <summary>Asks the live preference-list nodes in order (this node first if it is one) to create the version,
    /// and returns the creator's version set. A node that fails moves the request on to the next one; a node that
    /// does not answer in time ends the request (it may still create the version, and a second creator would store
    /// the write twice).</summary>
    private async Task<(string? Node, StoredVersion[]? Versions, string Failures)> CreateVersionAsync(
        RingView view, IReadOnlyList<string> nodes, byte[] key, byte[]? value, CausalContext context, long started, CancellationToken cancellationToken)
    {
        List<string>? errors = null;
        foreach (var node in ContactOrder(view, nodes))
        {
            if (!view.IsLive(node))
            {
                (errors ??= []).Add($"node '{node}' is down");
                continue;
            }

            try
            {
                var set = await _replicas.Coordinate(node, Range, key, value, context).WaitAsync(Remaining(started), _time, cancellationToken);
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

    /// <summary>What is left of the request's one deadline.</summary>
    private TimeSpan Remaining(long started)
    {
        var left = _options.RequestTimeout - _time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>The order replicas are asked in: this node, then live nodes in preference order, then the rest
    /// (which fail at once, but name themselves in the error).</summary>
    private List<string> ContactOrder(RingView view, IReadOnlyList<string> nodes)
    {
        var local = _replicas.LocalNode;
        var ordered = new List<string>(nodes.Count);
        if (nodes.Contains(local))
        {
            ordered.Add(local);
        }

        ordered.AddRange(nodes.Where(n => n != local && view.IsLive(n)));
        ordered.AddRange(nodes.Where(n => n != local && !view.IsLive(n)));
        return ordered;
    }

    /// <summary>After a read: once every replica asked has answered (or timed out), brings the stale ones up to date.
    /// Copies that fail are kept as hints (ReplicaCopies).</summary>
    private async Task RepairAsync(byte[] key, List<Task<ReplicaAnswer<StoredVersion[]>>> calls)
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
        var merged = VersionSet.Merge(answers.SelectMany(a => a.Value));
        foreach (var stale in answers.Where(a => !VersionSet.SameSet(a.Value, merged)))
        {
            try
            {
                await _copies.SendAsync(stale.NodeId, Range, key, merged);
                LogRepaired(stale.NodeId, Range);
            }
            catch (Exception ex)
            {
                LogRepairFailed(ex, stale.NodeId, Range);
            }
        }
    }

    private (int Replicas, int Required) Resolve(int? replicas, Acks? acks, int defaultAcks)
    {
        var n = replicas ?? _options.ReplicationFactor;
        if (n < 1)
        {
            throw new InvalidRequestException($"N must be at least 1, not {n}.");
        }

        var required = acks?.Resolve(n) ?? Math.Min(defaultAcks, n);
        if (required < 1 || required > n)
        {
            throw new InvalidRequestException($"The quorum ({required}) must be between 1 and N ({n}).");
        }

        return (n, required);
    }

    private void CheckOwnership(byte[] key)
    {
        KeyLimits.CheckKey(key);
        var owner = KeyPartitioner.RangeOf(key, _options.RangeCount);
        if (owner != Range)
        {
            throw new WrongRangeException(
                $"Key belongs to range {owner} of {_options.RangeCount}, not to range {Range}; is the client configured with the cluster's range count?");
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Read repair brought node {NodeId} up to date in range {Range}")]
    private partial void LogRepaired(string nodeId, int range);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Read repair of node {NodeId} in range {Range} failed; the copy is kept as a hint")]
    private partial void LogRepairFailed(Exception exception, string nodeId, int range);
}
