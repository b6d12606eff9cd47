// How a coordinator reaches a range's replica on a node: this node's replicas directly (no grain call,
// no copy of the arguments), another node's through its replica grain. Grain references are cached, as
// building one parses and hashes its string key. Every call passes the node's fault rules (ReplicaFaults).

using System.Collections.Concurrent;
using GrainKV.Grains.Faults;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Replicas;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Sends replica operations to the right node.</summary>
public sealed class ReplicaRouter(LocalReplicas local, HintStore hints, IGrainFactory grains, ReplicaFaults faults)
{
    private readonly ConcurrentDictionary<(string Node, int Range), IReplicaGrain> _references = new();

    /// <summary>This node's id.</summary>
    public string LocalNode => local.NodeId;

    // The local operations are async methods: their failures arrive in the returned task, never thrown here.
    public Task<StoredVersion[]> Read(string node, int range, byte[] key) =>
        faults.Apply(node, ReplicaOperation.Read, () => node == local.NodeId
            ? local.ReadAsync(range, key).AsTask()
            : Remote(node, range).Read(key, CancellationToken.None));

    public Task<StoredVersion[]> Coordinate(string node, int range, byte[] key, byte[]? value, CausalContext context) =>
        faults.Apply(node, ReplicaOperation.Coordinate, () => node == local.NodeId
            ? local.CoordinateAsync(range, key, value, context).AsTask()
            : Remote(node, range).Coordinate(key, value, context, CancellationToken.None));

    public Task<bool> Apply(string node, int range, byte[] key, StoredVersion[] versions) =>
        faults.Apply(node, ReplicaOperation.Apply, async () =>
        {
            await (node == local.NodeId
                ? local.ApplyAsync(range, key, versions).AsTask()
                : Remote(node, range).Apply(key, versions, CancellationToken.None));
            return true;
        });

    /// <summary>Sloppy quorum: asks <paramref name="node"/> to keep the versions as a hint for <paramref name="owner"/>.</summary>
    public Task<bool> StoreHint(string node, string owner, int range, byte[] key, StoredVersion[] versions) =>
        faults.Apply(node, ReplicaOperation.Apply, async () =>
        {
            await (node == local.NodeId
                ? hints.KeepAsync(owner, range, key, versions)
                : Remote(node, range).StoreHint(owner, key, versions, CancellationToken.None));
            return true;
        });

    /// <summary>Sloppy reads: the versions <paramref name="node"/> keeps as hints for <paramref name="owners"/>.</summary>
    public Task<StoredVersion[]> ReadHints(string node, string[] owners, int range, byte[] key) =>
        faults.Apply(node, ReplicaOperation.Read, () => node == local.NodeId
            ? ReadLocalHints(owners, range, key)
            : Remote(node, range).ReadHints(owners, key, CancellationToken.None));

    private Task<StoredVersion[]> ReadLocalHints(string[] owners, int range, byte[] key)
    {
        try
        {
            return Task.FromResult(hints.Read(owners, range, key));
        }
        catch (Exception ex)
        {
            return Task.FromException<StoredVersion[]>(ex);
        }
    }

    private IReplicaGrain Remote(string node, int range) =>
        _references.GetOrAdd((node, range), static (k, g) => g.GetGrain<IReplicaGrain>(ReplicaKey.Format(k.Node, k.Range)), grains);
}
