// This node's replicas as anti-entropy reaches them from any node: a grain service (one per silo, addressed by
// the silo's address) that hands each call to the node's LocalTrees. Reentrant: calls interleave at their awaits;
// per-key ordering is LocalReplicas' (its key locks); scans run on the thread pool, not on the service.

using GrainKV.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>The anti-entropy side of this node's replicas.</summary>
[Reentrant]
public sealed class ReplicaTreeService(
    GrainId id, Silo silo, ILoggerFactory loggerFactory, LocalTrees trees, RangeTrees ranges, ExchangeLedger ledger, NodeIdentity node)
    : GrainService(id, silo, loggerFactory), IReplicaTreeService
{
    public Task<ulong[]> Hashes(int range, int[] nodes, CancellationToken cancellationToken) => trees.HashesAsync(range, nodes);

    public Task<KeyDigest[]> LeafKeys(int range, int[] leaves, CancellationToken cancellationToken) => trees.LeafKeysAsync(range, leaves);

    public Task<StoredVersion[][]> ReadMany(int range, byte[][] keys, CancellationToken cancellationToken) => trees.ReadManyAsync(range, keys);

    public Task ApplyMany(int range, byte[][] keys, StoredVersion[][] sets, CancellationToken cancellationToken) => trees.ApplyManyAsync(range, keys, sets);

    public Task<KeyDigest[]> PurgeCandidates(int range, long cutoffUnixMs, int max, CancellationToken cancellationToken) =>
        trees.PurgeCandidatesAsync(range, cutoffUnixMs, max);

    public Task<bool[]> Holds(int range, byte[][] keys, ulong[] digests, CancellationToken cancellationToken) => trees.HoldsAsync(range, keys, digests);

    public Task<int> Purge(int range, byte[][] keys, ulong[] digests, CancellationToken cancellationToken) => trees.PurgeAsync(range, keys, digests);

    public Task<NodeAntiEntropyStatus> GetStatus(CancellationToken cancellationToken)
    {
        var tracked = ranges.Tracked().ToArray();
        var tombstones = tracked.Sum(t => ranges.Of(t.Range).TombstoneKeys);
        return Task.FromResult(new NodeAntiEntropyStatus(node.NodeId, tracked.Sum(t => t.Keys), tracked.Length, tombstones, ledger.Snapshot()));
    }
}

/// <summary>Reaches the <see cref="IReplicaTreeService"/> of a given silo.</summary>
public sealed class ReplicaTreeServiceClient(IServiceProvider services) : GrainServiceClient<IReplicaTreeService>(services)
{
    /// <summary>The replica tree service on <paramref name="silo"/>.</summary>
    public IReplicaTreeService On(SiloAddress silo) => GetGrainService(silo);
}
