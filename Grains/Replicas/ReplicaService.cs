// This node's replicas as other nodes reach them: an Orleans grain service (one per silo, addressed by the
// silo's address, no grain directory) that hands each call to the node's LocalReplicas or HintStore.
// Reentrant: calls interleave at their awaits; per-key ordering is LocalReplicas' (its key locks).

using System.Collections.Concurrent;
using GrainKV.Grains.Handoff;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace GrainKV.Grains.Replicas;

/// <summary>The grain service in front of this node's replicas.</summary>
[Reentrant]
public sealed class ReplicaService(GrainId id, Silo silo, ILoggerFactory loggerFactory, LocalReplicas replicas, HintStore hints)
    : GrainService(id, silo, loggerFactory), IReplicaService
{
    public Task<StoredVersion[]> Read(int range, byte[] key, CancellationToken cancellationToken) =>
        replicas.ReadAsync(range, key).AsTask();

    public Task<StoredVersion[]> Coordinate(int range, byte[] key, byte[]? value, CausalContext context, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        replicas.CoordinateAsync(range, key, value, context, timeToLive).AsTask();

    public Task Apply(int range, byte[] key, StoredVersion[] versions, CancellationToken cancellationToken) =>
        replicas.ApplyAsync(range, key, versions).AsTask();

    public Task StoreHint(string owner, int range, byte[] key, StoredVersion[] versions, CancellationToken cancellationToken) =>
        hints.KeepAsync(owner, range, key, versions);

    public Task<StoredVersion[]> ReadHints(string[] owners, int range, byte[] key, CancellationToken cancellationToken) =>
        Task.FromResult(hints.Read(owners, range, key));
}

/// <summary>Reaches the <see cref="IReplicaService"/> of a given silo.</summary>
public sealed class ReplicaServiceClient(IServiceProvider services) : GrainServiceClient<IReplicaService>(services)
{
    // One reference per silo address, built once: every remote replica call asks for one. Addresses change only when
    // a silo restarts, so the cache grows by one entry per restart.
    private readonly ConcurrentDictionary<SiloAddress, IReplicaService> _references = new();

    /// <summary>The replica service on <paramref name="silo"/>.</summary>
    public IReplicaService On(SiloAddress silo) => _references.GetOrAdd(silo, GetGrainService);
}
