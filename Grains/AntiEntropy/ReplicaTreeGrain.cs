// A range's replica on one node as anti-entropy reaches it: pinned to that node's silo (NodePlacement) and
// handing each call to the node's LocalTrees.

using GrainKV.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Placement;
using GrainKV.Versioning;
using Orleans.Concurrency;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>The anti-entropy side of one range's replica on one node.</summary>
[Reentrant]
[NodePlacement]
public sealed class ReplicaTreeGrain : Grain, IReplicaTreeGrain
{
    private readonly LocalTrees _trees;
    private readonly NodeIdentity _node;
    private readonly string _nodeId;
    private readonly int _range;

    public ReplicaTreeGrain(LocalTrees trees, NodeIdentity node, IGrainContext context)
    {
        _trees = trees;
        _node = node;
        (_nodeId, _range) = ReplicaKey.Parse(context.GrainId.Key.ToString()!);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        _nodeId == _node.NodeId
            ? Task.CompletedTask
            : throw new ReplicaUnavailableException(_nodeId, $"Replica of node '{_nodeId}' cannot run on node '{_node.NodeId}'.");

    public Task<ulong[]> Hashes(int[] nodes, CancellationToken cancellationToken) => _trees.HashesAsync(_range, nodes);

    public Task<KeyDigest[]> LeafKeys(int[] leaves, CancellationToken cancellationToken) => _trees.LeafKeysAsync(_range, leaves);

    public Task<StoredVersion[][]> ReadMany(byte[][] keys, CancellationToken cancellationToken) => _trees.ReadManyAsync(_range, keys);

    public Task ApplyMany(byte[][] keys, StoredVersion[][] sets, CancellationToken cancellationToken) => _trees.ApplyManyAsync(_range, keys, sets);

    public Task<KeyDigest[]> PurgeCandidates(long cutoffUnixMs, int max, CancellationToken cancellationToken) =>
        _trees.PurgeCandidatesAsync(_range, cutoffUnixMs, max);

    public Task<bool[]> Holds(byte[][] keys, ulong[] digests, CancellationToken cancellationToken) => _trees.HoldsAsync(_range, keys, digests);

    public Task<int> Purge(byte[][] keys, ulong[] digests, CancellationToken cancellationToken) => _trees.PurgeAsync(_range, keys, digests);
}
