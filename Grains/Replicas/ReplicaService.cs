// This node's replicas as other nodes reach them: an Orleans grain service (one per silo, addressed by the
// silo's address, no grain directory) that hands each call to the node's LocalReplicas or HintStore.
// Reentrant: calls interleave at their awaits; per-key ordering is LocalReplicas' (its key locks).

using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using GrainKV.Batching;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace GrainKV.Grains.Replicas;

/// <summary>The grain service in front of this node's replicas.</summary>
[Reentrant]
public sealed class ReplicaService(GrainId id, Silo silo, ILoggerFactory loggerFactory, LocalReplicas replicas, HintStore hints)
    : GrainService(id, silo, loggerFactory), IReplicaService
{
    public Task StoreHint(string owner, int range, byte[] key, StoredVersion[] versions, CancellationToken cancellationToken) =>
        hints.KeepAsync(owner, range, key, versions);

    public Task<StoredVersion[]> ReadHints(string[] owners, int range, byte[] key, CancellationToken cancellationToken) =>
        Task.FromResult(hints.Read(owners, range, key));

    public Task<ReplicaReply[]> Batch(ReplicaRequest[] requests, CancellationToken cancellationToken) =>
        BatchReplies.AnswerEachAsync(requests, RunAsync, ex => new ReplicaReply(null, ex));

    private async Task<ReplicaReply> RunAsync(ReplicaRequest request)
    {
        switch (request.Kind)
        {
            case ReplicaRequestKind.Read:
                return new(request.WithoutValues
                    ? await replicas.ReadHeadersAsync(request.Range, request.Key)
                    : await replicas.ReadAsync(request.Range, request.Key));
            case ReplicaRequestKind.Coordinate:
                return new(await replicas.CoordinateAsync(
                    request.Range, request.Key, request.Value, request.Context ?? throw Missing(request, "context"), request.TimeToLive, request.Overwrite));
            case ReplicaRequestKind.Apply:
                return new(null, Covered: await replicas.ApplyAsync(request.Range, request.Key, request.Versions ?? throw Missing(request, "versions")));
            default:
                throw new InvalidRequestException($"Unknown replica operation {request.Kind}.");
        }
    }

    private static InvalidRequestException Missing(ReplicaRequest request, string field) =>
        new($"A batched {request.Kind} request carries no {field}.");
}

/// <summary>Reaches the <see cref="IReplicaService"/> of a given silo.</summary>
public sealed class ReplicaServiceClient(IServiceProvider services, GrainKvMetrics metrics, IOptions<GrainKvNodeOptions> options)
    : GrainServiceClient<IReplicaService>(services)
{
    // The largest value a read may bring back: what a read with values counts toward its batch's size.
    private readonly int _maxEntrySize = options.Value.MaxEntrySize;

    // One reference and one batcher per silo address, built once: every remote replica call asks for one. Addresses
    // change only when a silo restarts, so the caches grow by one entry per restart.
    private readonly ConcurrentDictionary<SiloAddress, IReplicaService> _references = new();
    private readonly ConcurrentDictionary<SiloAddress, RequestBatcher<ReplicaRequest, ReplicaReply>> _batchers = new();

    /// <summary>The replica service on <paramref name="silo"/>.</summary>
    public IReplicaService On(SiloAddress silo) => _references.GetOrAdd(silo, GetGrainService);

    /// <summary>Sends <paramref name="request"/> to <paramref name="silo"/>'s replica service in a batch with the other
    /// requests bound there (<see cref="RequestBatcher{TRequest,TReply}"/>); returns its answer (a failure is thrown).</summary>
    public async Task<ReplicaReply> SendAsync(SiloAddress silo, ReplicaRequest request)
    {
        metrics.ReplicaOperationsSent.Add(1);
        var batcher = _batchers.TryGetValue(silo, out var known) ? known : _batchers.GetOrAdd(silo, NewBatcher);
        var reply = await batcher.SendAsync(request).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return reply;
    }

    private RequestBatcher<ReplicaRequest, ReplicaReply> NewBatcher(SiloAddress silo)
    {
        var service = On(silo);
        return new RequestBatcher<ReplicaRequest, ReplicaReply>(
            requests =>
            {
                metrics.ReplicaMessagesSent.Add(1);
                return service.Batch(requests, CancellationToken.None);
            },
            request => request.ApproximateBytes(_maxEntrySize),
            BatchLimits.Default);
    }
}
