using GrainKV.Versioning;
// A key range's replica on one node (a vnode, in Riak's terms): it keeps the versions of its keys in
// that node's engine and merges incoming versions into them, one key at a time.


namespace GrainKV;

/// <summary>Replica of one range on one node; key = "{nodeId}/{range}" (see <see cref="ReplicaKey"/>).</summary>
[Alias("grainkv.IReplicaGrain")]
public interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>The versions stored for <paramref name="key"/> (empty if none).</summary>
    [Alias("Read")]
    Task<StoredVersion[]> Read(byte[] key, CancellationToken cancellationToken = default);

    /// <summary>Creates a new version of <paramref name="key"/> on this node (the write's coordinating replica):
    /// its clock supersedes <paramref name="context"/> and its dot is unique for this node's incarnation. Null
    /// <paramref name="value"/> = tombstone. Returns the key's whole version set on this node after the write,
    /// which is what the other replicas are sent.</summary>
    [Alias("Coordinate")]
    Task<StoredVersion[]> Coordinate(byte[] key, byte[]? value, CausalContext context, CancellationToken cancellationToken = default);

    /// <summary>Merges <paramref name="versions"/> into the stored versions of <paramref name="key"/>.</summary>
    [Alias("Apply")]
    Task Apply(byte[] key, StoredVersion[] versions, CancellationToken cancellationToken = default);

    /// <summary>Sloppy quorum: keeps <paramref name="versions"/> of <paramref name="key"/> on this node as a durable hint
    /// for <paramref name="owner"/> (a replica of the range that is down), to be delivered when it is back. Fails
    /// (<see cref="ReplicaUnavailableException"/>) if the hint could not be kept.</summary>
    [Alias("StoreHint")]
    Task StoreHint(string owner, byte[] key, StoredVersion[] versions, CancellationToken cancellationToken = default);

    /// <summary>Sloppy reads: the versions of <paramref name="key"/> this node keeps as hints for any of <paramref name="owners"/>.</summary>
    [Alias("ReadHints")]
    Task<StoredVersion[]> ReadHints(string[] owners, byte[] key, CancellationToken cancellationToken = default);
}
