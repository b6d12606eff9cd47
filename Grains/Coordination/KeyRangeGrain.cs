// The coordinator of one key range: quorum reads and writes over the range's preference list.
//
// Write: the first live preference-list node creates the new version (its replica increments the clock,
// serialized per key), then the version is sent to the other replicas; the write completes once W
// replicas hold it, and the remaining copies finish in the background.
// Read: asks all N replicas, answers once R have answered (merging their versions: concurrent ones are
// returned as siblings), then repairs stale replicas in the background.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Placement;
using GrainKV.Grains.Replication;
using GrainKV.Partitioning;
using GrainKV.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace GrainKV.Grains.Coordination;

/// <summary>Client-facing grain of one key range.</summary>
[Reentrant]
[KeyRangePlacement]
public sealed partial class KeyRangeGrain : Grain, IKeyRangeGrain
{
    private readonly NodeIdentity _node;
    private readonly GrainKvNodeOptions _options;
    private readonly RingService _ring;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyRangeGrain> _logger;

    public KeyRangeGrain(NodeIdentity node, IOptions<GrainKvNodeOptions> options, RingService ring, GrainKvClock clock, ILogger<KeyRangeGrain> logger)
    {
        _node = node;
        _options = options.Value;
        _ring = ring;
        _time = clock.Time;
        _logger = logger;
    }

    private int Range => (int)this.GetPrimaryKeyLong();

    public async Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        var view = _ring.Current;
        var (replicas, required) = Resolve(options.Replicas, options.ReadQuorum, _options.ReadQuorum);
        var nodes = view.PreferenceList(Range, replicas);
        var calls = nodes.Select(node => QuorumWait.Call(view, node, r => r.Read(key, CancellationToken.None), GrainFactory, Range)).ToArray();
        var answers = await QuorumWait.WaitAsync(calls, required, _options.RequestTimeout, _time, cancellationToken);
        var merged = VersionSet.Merge(answers.SelectMany(a => a.Value));
        _ = RepairAsync(key, calls);

        var context = merged.Length == 0 ? CausalContext.Empty : new CausalContext(VersionSet.Context(merged).Encode());
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
        var view = _ring.Current;
        var (replicas, required) = Resolve(options.Replicas, options.WriteQuorum, _options.WriteQuorum);
        var nodes = view.PreferenceList(Range, replicas);
        if (nodes.Count < required)
        {
            throw new NotEnoughReplicasException(required, 0, $"Only {nodes.Count} node(s) are on the ring.");
        }

        var (coordinator, created, failures) = await CreateVersionAsync(view, nodes, key, value, context);
        if (created is null)
        {
            throw new NotEnoughReplicasException(required, 0, failures);
        }

        StoredVersion[] versions = [created];
        var copies = nodes.Where(n => n != coordinator)
            .Select(node => QuorumWait.Call(view, node, async r => { await r.Apply(key, versions, CancellationToken.None); return true; }, GrainFactory, Range))
            .ToArray();
        if (required > 1)
        {
            try
            {
                await QuorumWait.WaitAsync(copies, required - 1, _options.RequestTimeout, _time, cancellationToken);
            }
            catch (NotEnoughReplicasException ex)
            {
                throw new NotEnoughReplicasException(required, ex.Answered + 1, ex.Message);
            }
        }

        _ = ObserveAsync(copies);
    }

    /// <summary>Asks the live preference-list nodes in order (this node first if it is one) to create the version.</summary>
    private async Task<(string? Node, StoredVersion? Version, string Failures)> CreateVersionAsync(
        RingView view, IReadOnlyList<string> nodes, byte[] key, byte[]? value, CausalContext context)
    {
        var errors = new List<string>();
        foreach (var node in nodes.OrderBy(n => n == _node.NodeId ? 0 : 1))
        {
            if (!view.IsLive(node))
            {
                errors.Add($"node '{node}' is down");
                continue;
            }

            try
            {
                var replica = GrainFactory.GetGrain<IReplicaGrain>(ReplicaKey.Format(node, Range));
                var created = await replica.Coordinate(key, value, context, CancellationToken.None).WaitAsync(_options.RequestTimeout, _time);
                return (node, created, "");
            }
            catch (Exception ex) when (ex is not WrongRangeException)
            {
                errors.Add($"node '{node}': {ex.Message}");
            }
        }

        return (null, null, string.Join("; ", errors));
    }

    /// <summary>After a read: once every replica answered (or timed out), brings stale replicas up to date.</summary>
    private async Task RepairAsync(byte[] key, Task<ReplicaAnswer<StoredVersion[]>>[] calls)
    {
        try
        {
            await Task.WhenAll(calls).WaitAsync(_options.RequestTimeout, _time);
        }
        catch (Exception)
        {
            // Replicas that failed or did not answer are left to anti-entropy.
        }

        var answers = calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToArray();
        var merged = VersionSet.Merge(answers.SelectMany(a => a.Value));
        foreach (var stale in answers.Where(a => !VersionSet.SameSet(a.Value, merged)))
        {
            try
            {
                await GrainFactory.GetGrain<IReplicaGrain>(ReplicaKey.Format(stale.NodeId, Range)).Apply(key, merged, CancellationToken.None);
                LogRepaired(stale.NodeId, Range);
            }
            catch (Exception ex)
            {
                LogRepairFailed(ex, stale.NodeId, Range);
            }
        }
    }

    private async Task ObserveAsync(Task<ReplicaAnswer<bool>>[] copies)
    {
        foreach (var copy in copies)
        {
            try
            {
                await copy;
            }
            catch (Exception ex)
            {
                LogCopyFailed(ex, Range);
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

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Read repair of node {NodeId} in range {Range} failed")]
    private partial void LogRepairFailed(Exception exception, string nodeId, int range);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "A background replica write in range {Range} failed; anti-entropy will reconcile it")]
    private partial void LogCopyFailed(Exception exception, int range);
}
