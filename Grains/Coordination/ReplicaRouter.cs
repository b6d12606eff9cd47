// How a coordinator reaches a range's replica on a node: this node's replicas directly (no grain call,
// no copy of the arguments), another node's through that node's replica service, addressed by the silo
// address the ring view has for the node (no grain directory: a dead node fails only the calls sent to it).
// Reads, creations and applies to another node travel in batches with the others bound there (one message
// carries many keys; see RequestBatcher); hints go one call each.
// A node without a known address fails at once. Every call passes the node's fault rules (ReplicaFaults).

using GrainKV.Grains.Faults;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Sends replica operations to the right node.</summary>
public sealed class ReplicaRouter(LocalReplicas local, HintStore hints, ReplicaServiceClient services, RingService ring, ReplicaFaults faults) : IReplicaCalls
{
    public string LocalNode => local.NodeId;

    // The local operations are async methods: their failures arrive in the returned task, never thrown here.
    public Task<StoredVersion[]> Read(string node, int range, byte[] key, bool withValues = true) =>
        faults.Apply(node, ReplicaOperation.Read, () => node == local.NodeId
            ? (withValues ? local.ReadAsync(range, key) : local.ReadHeadersAsync(range, key)).AsTask()
            : VersionsAsync(node, new ReplicaRequest(ReplicaRequestKind.Read, range, key, WithoutValues: !withValues)));

    public Task<StoredVersion[]> Coordinate(
        string node, int range, byte[] key, byte[]? value, CausalContext context, TimeSpan? timeToLive = null, bool overwrite = false) =>
        faults.Apply(node, ReplicaOperation.Coordinate, () => node == local.NodeId
            ? local.CoordinateAsync(range, key, value, context, timeToLive, overwrite).AsTask()
            : VersionsAsync(node, new ReplicaRequest(ReplicaRequestKind.Coordinate, range, key, value, context, timeToLive, Overwrite: overwrite)));

    public Task<bool> Apply(string node, int range, byte[] key, StoredVersion[] versions) =>
        faults.Apply(node, ReplicaOperation.Apply, async () => node == local.NodeId
            ? await local.ApplyAsync(range, key, versions)
            : (await SendAsync(node, new ReplicaRequest(ReplicaRequestKind.Apply, range, key, Versions: versions))).Covered);

    /// <summary>Sloppy quorum: asks <paramref name="node"/> to keep the versions as a hint for <paramref name="owner"/>.</summary>
    public Task<bool> StoreHint(string node, string owner, int range, byte[] key, StoredVersion[] versions) =>
        faults.Apply(node, ReplicaOperation.Apply, async () =>
        {
            await (node == local.NodeId
                ? hints.KeepAsync(owner, range, key, versions)
                : (Remote(node) ?? throw NoAddress(node)).StoreHint(owner, range, key, versions, CancellationToken.None));
            return true;
        });

    /// <summary>Sloppy reads: the versions <paramref name="node"/> keeps as hints for <paramref name="owners"/>.</summary>
    public Task<StoredVersion[]> ReadHints(string node, string[] owners, int range, byte[] key) =>
        faults.Apply(node, ReplicaOperation.Read, () => node == local.NodeId
            ? ReadLocalHints(owners, range, key)
            : Remote(node) is { } remote ? remote.ReadHints(owners, range, key, CancellationToken.None) : Task.FromException<StoredVersion[]>(NoAddress(node)));

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

    /// <summary>Sends a read, coordinate or apply to <paramref name="node"/>, batched with the others bound there.</summary>
    private Task<ReplicaReply> SendAsync(string node, ReplicaRequest request) =>
        services.SendAsync(ring.Current.AddressOf(node) ?? throw NoAddress(node), request);

    /// <summary>Sends a read or coordinate to <paramref name="node"/>; returns the version set it answers.</summary>
    private async Task<StoredVersion[]> VersionsAsync(string node, ReplicaRequest request) => (await SendAsync(node, request)).Versions ?? [];

    /// <summary><paramref name="node"/>'s replica service, or null when the ring knows no address for it.</summary>
    private IReplicaService? Remote(string node) =>
        ring.Current.AddressOf(node) is { } silo ? services.On(silo) : null;

    private static ReplicaUnavailableException NoAddress(string node) =>
        new(node, $"Node '{node}' has no known address; its replicas cannot be reached.");
}
