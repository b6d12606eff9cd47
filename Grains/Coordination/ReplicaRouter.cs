// How a coordinator reaches a range's replica on a node: this node's replicas directly (no grain call,
// no copy of the arguments), another node's through its replica grain. Grain references are cached, as
// building one parses and hashes its string key.

using System.Collections.Concurrent;
using GrainKV.Grains.Replicas;
using GrainKV.Replication;

namespace GrainKV.Grains.Coordination;

/// <summary>Sends replica operations to the right node.</summary>
public sealed class ReplicaRouter(LocalReplicas local, IGrainFactory grains)
{
    private readonly ConcurrentDictionary<(string Node, int Range), IReplicaGrain> _references = new();

    /// <summary>This node's id.</summary>
    public string LocalNode => local.NodeId;

    public Task<StoredVersion[]> Read(string node, int range, byte[] key)
    {
        if (node != local.NodeId)
        {
            return Remote(node, range).Read(key, CancellationToken.None);
        }

        try
        {
            return Task.FromResult(local.Read(range, key));
        }
        catch (Exception ex)
        {
            return Task.FromException<StoredVersion[]>(ex);
        }
    }

    // The local operations are async methods: their failures arrive in the returned task, never thrown here.
    public Task<StoredVersion> Coordinate(string node, int range, byte[] key, byte[]? value, CausalContext context) =>
        node == local.NodeId
            ? local.CoordinateAsync(range, key, value, context).AsTask()
            : Remote(node, range).Coordinate(key, value, context, CancellationToken.None);

    public Task Apply(string node, int range, byte[] key, StoredVersion[] versions) =>
        node == local.NodeId
            ? local.ApplyAsync(range, key, versions).AsTask()
            : Remote(node, range).Apply(key, versions, CancellationToken.None);

    private IReplicaGrain Remote(string node, int range) =>
        _references.GetOrAdd((node, range), static (k, g) => g.GetGrain<IReplicaGrain>(ReplicaKey.Format(k.Node, k.Range)), grains);
}
