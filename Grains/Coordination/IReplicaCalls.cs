// The replica operations a coordinator sends to one node: the seam between coordination and the network.
// ReplicaRouter implements it over this node's replicas and the other nodes' replica services; coordinator
// tests pass fake replicas. Every operation's failure arrives in the returned task.

using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Replica operations addressed to a node by its id.</summary>
public interface IReplicaCalls
{
    /// <summary>This node's id (asked first when it holds a replica: no network hop).</summary>
    string LocalNode { get; }

    /// <summary>The versions <paramref name="node"/>'s replica holds for the key, once durable; without
    /// <paramref name="withValues"/>, their headers at once (LocalReplicas.ReadHeadersAsync).</summary>
    Task<StoredVersion[]> Read(string node, int range, byte[] key, bool withValues = true);

    /// <summary>Asks <paramref name="node"/> to create the write's version (expiring <paramref name="timeToLive"/> after
    /// that node's now, if given); returns the key's whole version set there. With <paramref name="overwrite"/>, the
    /// version also supersedes every version that node holds for the key.</summary>
    Task<StoredVersion[]> Coordinate(string node, int range, byte[] key, byte[]? value, CausalContext context, TimeSpan? timeToLive = null, bool overwrite = false);

    /// <summary>Merges <paramref name="versions"/> into <paramref name="node"/>'s replica; true when every version it then
    /// holds is one of them or a later write over one (it held none they miss), false when not or when it did not say.</summary>
    Task<bool> Apply(string node, int range, byte[] key, StoredVersion[] versions);

    /// <summary>Sloppy quorum: <paramref name="node"/> keeps the versions as a hint for <paramref name="owner"/>.</summary>
    Task<bool> StoreHint(string node, string owner, int range, byte[] key, StoredVersion[] versions);

    /// <summary>Sloppy reads: the versions <paramref name="node"/> keeps as hints for <paramref name="owners"/>.</summary>
    Task<StoredVersion[]> ReadHints(string node, string[] owners, int range, byte[] key);
}
