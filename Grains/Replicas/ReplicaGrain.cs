// A range's replica on one node, as remote coordinators reach it: it lives only on its own node's silo
// (NodePlacement) and hands each call to the node's LocalReplicas, which does the per-key
// read-merge-write against the node's engine.

using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Placement;
using Orleans.Concurrency;
using GrainKV.Versioning;

namespace GrainKV.Grains.Replicas;

/// <summary>Replica of one key range on one node.</summary>
[Reentrant]
[NodePlacement]
public sealed class ReplicaGrain : Grain, IReplicaGrain
{
    private readonly LocalReplicas _replicas;
    private readonly HintStore _hints;
    private readonly NodeIdentity _node;
    private readonly string _nodeId;
    private readonly int _range;

    public ReplicaGrain(LocalReplicas replicas, HintStore hints, NodeIdentity node, IGrainContext context)
    {
        _replicas = replicas;
        _hints = hints;
        _node = node;
        (_nodeId, _range) = ReplicaKey.Parse(context.GrainId.Key.ToString()!);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        _nodeId == _node.NodeId
            ? Task.CompletedTask
            : throw new ReplicaUnavailableException(_nodeId, $"Replica of node '{_nodeId}' cannot run on node '{_node.NodeId}'.");

    public Task<StoredVersion[]> Read(byte[] key, CancellationToken cancellationToken) =>
        _replicas.ReadAsync(_range, key).AsTask();

    public Task<StoredVersion[]> Coordinate(byte[] key, byte[]? value, CausalContext context, CancellationToken cancellationToken) =>
        _replicas.CoordinateAsync(_range, key, value, context).AsTask();

    public Task Apply(byte[] key, StoredVersion[] versions, CancellationToken cancellationToken) =>
        _replicas.ApplyAsync(_range, key, versions).AsTask();

    public Task StoreHint(string owner, byte[] key, StoredVersion[] versions, CancellationToken cancellationToken) =>
        _hints.KeepAsync(owner, _range, key, versions);

    public Task<StoredVersion[]> ReadHints(string[] owners, byte[] key, CancellationToken cancellationToken) =>
        Task.FromResult(_hints.Read(owners, _range, key));
}
