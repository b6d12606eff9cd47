// The requests of every key range on this node, whoever sends them: checks that a request belongs to its range (the
// key's range, the key and value limits, a context read from this key), hands it to the read or write coordinator,
// and records it on the node's request metrics (count, outcome, latency), bad input included.
//
// Two entries share it: KeyRangeGrain, for Orleans clients, and the RESP gateway, whose requests start in this silo
// and so call it directly, without a grain call (a message, a stateless-worker dispatch and a turn on the grain's
// scheduler per request).

using GrainKV.Batching;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Metrics;
using GrainKV.Partitioning;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Coordination;

/// <summary>Get, put, overwrite and delete of a key of a given range, coordinated from this node.</summary>
public sealed class KeyRangeRequests(
    IOptions<GrainKvNodeOptions> options, ReadCoordinator reads, WriteCoordinator writes, RequestMetrics metrics, GrainKvClock clock)
{
    private readonly GrainKvNodeOptions _options = options.Value;
    private readonly TimeProvider _time = clock.Time;

    /// <summary>The cluster's range count (Q).</summary>
    public int RangeCount => _options.RangeCount;

    /// <summary>Reads <paramref name="key"/> of <paramref name="range"/> from R replicas.</summary>
    /// <exception cref="WrongRangeException">The key is not <paramref name="range"/>'s.</exception>
    public async Task<ReadResult> GetAsync(int range, byte[] key, ReadOptions options, CancellationToken cancellationToken)
    {
        var started = metrics.Start();
        try
        {
            CheckOwnership(range, key);
            var result = await reads.ReadAsync(range, key, options, cancellationToken);
            metrics.Succeeded(RequestOperation.Get, started, result.Found);
            return result;
        }
        catch (Exception ex)
        {
            metrics.Failed(RequestOperation.Get, started, ex);
            throw;
        }
    }

    /// <summary>Writes <paramref name="value"/> superseding <paramref name="context"/>; completes when W replicas acknowledged.</summary>
    public Task PutAsync(int range, byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        WriteAsync(range, RequestOperation.Put, key, value, context, options, cancellationToken);

    /// <summary>Writes <paramref name="value"/> superseding every version a read at <paramref name="read"/>'s quorum finds
    /// (one put in the request metrics, its read included).
    /// When that quorum is one replica (R = 1, no per-datacenter level), the read is the version's creator's own stored
    /// set, so the creator supersedes what it holds, under the key's lock, in the write itself: one step instead of a
    /// read and a write.
    /// When the write's own quorum is at least the read's (W ≥ R > 1, the same N, no per-datacenter level), the write
    /// goes first, its creator superseding what it holds, and each copy answers whether its replica held a version the
    /// new one misses: when none of the replicas that acknowledged it (the creator included, at least R of them) held
    /// one, they are a read quorum whose every version the new one (or a later write) supersedes, and the overwrite is
    /// done in one round.
    /// When they do not confirm it (a replica held a version the creator lacked, a standby stood in, a node did not
    /// say), the overwrite reads as below and writes again, over its first version too; until then a reader may see
    /// that first version beside the one the creator lacked, as siblings.
    /// The read asks the replicas for the versions' headers only (<see cref="ReadCoordinator.ReadContextAsync"/>): no
    /// values cross the network, no replica waits for a commit, and nothing is repaired, since the write sends its whole
    /// version set to every replica.
    /// Its rounds share the request's one deadline (<c>RequestTimeout</c> from its start), as a single write's do.</summary>
    public Task OverwriteAsync(int range, byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken) =>
        ReadQuorumOf(read) is { Required: 1 } && write.Consistency?.IsPerDatacenter() != true
            ? WriteAsync(range, RequestOperation.Put, key, value, CausalContext.Empty, write, cancellationToken, overwrite: true)
            : WriteAsync(range, RequestOperation.Put, key, value, CausalContext.Empty, write, cancellationToken, supersede: read);

    /// <summary>Deletes <paramref name="key"/> (a tombstone version) superseding <paramref name="context"/>.</summary>
    public Task DeleteAsync(int range, byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        WriteAsync(range, RequestOperation.Delete, key, null, context, options, cancellationToken);

    /// <summary>Runs a batch of requests side by side (every one starts before any is awaited, as separate calls would)
    /// and answers each in order, its failure included.</summary>
    public Task<KeyRangeReply[]> BatchAsync(KeyRangeRequest[] requests, CancellationToken cancellationToken)
    {
        metrics.Batched(requests.Length);
        return BatchReplies.AnswerEachAsync(requests, request => RunAsync(request, cancellationToken), ex => new KeyRangeReply(null, ex));
    }

    private async Task<KeyRangeReply> RunAsync(KeyRangeRequest request, CancellationToken cancellationToken)
    {
        switch (request.Kind)
        {
            case KeyRangeRequestKind.Get:
                return new(await GetAsync(request.Range, request.Key, request.Read ?? ReadOptions.Default, cancellationToken));
            case KeyRangeRequestKind.Put:
                await PutAsync(
                    request.Range, request.Key, request.Value ?? throw Missing(request, "value"), request.Context ?? CausalContext.Empty,
                    request.Write ?? WriteOptions.Default, cancellationToken);
                return KeyRangeReply.Written;
            case KeyRangeRequestKind.Overwrite:
                await OverwriteAsync(
                    request.Range, request.Key, request.Value ?? throw Missing(request, "value"), request.Read ?? ReadOptions.Default,
                    request.Write ?? WriteOptions.Default, cancellationToken);
                return KeyRangeReply.Written;
            case KeyRangeRequestKind.Delete:
                await DeleteAsync(request.Range, request.Key, request.Context ?? CausalContext.Empty, request.Write ?? WriteOptions.Default, cancellationToken);
                return KeyRangeReply.Written;
            default:
                throw new InvalidRequestException($"Unknown request kind {request.Kind}.");
        }
    }

    private static InvalidRequestException Missing(KeyRangeRequest request, string field) =>
        new($"A batched {request.Kind} request carries no {field}.");

    /// <summary>The replicas (N) and answers (R) a read with <paramref name="read"/> asks for; null for a per-datacenter
    /// level and for bad options (not judged here: the read or write that runs reports them).</summary>
    private (int Replicas, int Required)? ReadQuorumOf(ReadOptions read) =>
        QuorumOf(read.Replicas, read.ReadQuorum, read.Consistency, "R", _options.ReadQuorum);

    /// <summary>The read quorum an overwrite's own copies can confirm (OverwriteAsync): R when the write asks the same N
    /// replicas for W ≥ R > 1 acknowledgements, no per-datacenter level; otherwise null.</summary>
    private int? ConfirmableReadQuorum(ReadOptions read, WriteOptions write) =>
        ReadQuorumOf(read) is { Required: > 1 } quorum &&
        QuorumOf(write.Replicas, write.WriteQuorum, write.Consistency, "W", _options.WriteQuorum) is (var n, var w) &&
        n == quorum.Replicas && w >= quorum.Required
            ? quorum.Required
            : null;

    /// <summary>N and the answers a request asks for (RequestRules.Resolve); null for a per-datacenter level and for bad
    /// options.</summary>
    private (int Replicas, int Required)? QuorumOf(int? replicas, Acks? quorum, ConsistencyLevel? level, string name, int defaultAcks)
    {
        if (level is { } named && named.IsPerDatacenter())
        {
            return null;
        }

        try
        {
            return RequestRules.Resolve(replicas, DatacenterQuorums.AcksOf(quorum, level, name), _options.ReplicationFactor, defaultAcks);
        }
        catch (InvalidRequestException)
        {
            return null;
        }
    }

    /// <summary>Checks and coordinates a write. With <paramref name="overwrite"/>, its creator supersedes every version it
    /// holds; with <paramref name="supersede"/>, its context is read first, at that read quorum, instead of given.</summary>
    private async Task WriteAsync(
        int range, RequestOperation operation, byte[] key, byte[]? value, CausalContext context, WriteOptions options, CancellationToken cancellationToken,
        bool overwrite = false, ReadOptions? supersede = null)
    {
        var started = metrics.Start();
        try
        {
            if (value is not null)
            {
                KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
                if (options.TimeToLive is { } ttl)
                {
                    KeyLimits.CheckTimeToLive(ttl);
                }
            }
            else if (options.TimeToLive is not null)
            {
                throw new InvalidRequestException("A delete takes no time to live; nothing was deleted.");
            }

            CheckOwnership(range, key);
            context.ClockFor(key);
            RequestDeadline? deadline = null;
            if (supersede is not null)
            {
                deadline = new RequestDeadline(_time, _options.RequestTimeout);
                if (ConfirmableReadQuorum(supersede, options) is { } readQuorum)
                {
                    var confirmed = await writes.WriteAsync(range, key, value, context, options, cancellationToken, overwrite: true, deadline) >= readQuorum;
                    metrics.Overwrote(confirmed ? 1 : 2);
                    if (confirmed)
                    {
                        metrics.Succeeded(operation, started);
                        return;
                    }
                }

                context = await reads.ReadContextAsync(range, key, supersede, deadline.Value, cancellationToken);
            }

            await writes.WriteAsync(range, key, value, context, options, cancellationToken, overwrite, deadline);
            metrics.Succeeded(operation, started);
        }
        catch (Exception ex)
        {
            metrics.Failed(operation, started, ex);
            throw;
        }
    }

    private void CheckOwnership(int range, byte[] key)
    {
        KeyLimits.CheckKey(key);
        var owner = KeyPartitioner.RangeOf(key, _options.RangeCount);
        if (owner != range)
        {
            throw new WrongRangeException(
                $"Key belongs to range {owner} of {_options.RangeCount}, not to range {range}; is the client configured with the cluster's range count?");
        }
    }
}
