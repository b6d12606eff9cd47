// A node's replicas, as other nodes' coordinators reach them: one service per silo (an Orleans grain service),
// addressed by the silo's address. Calls go straight to that silo, with no grain directory lookup and no
// activation, so a node that dies fails only the calls addressed to it, at once, and never stalls calls to the
// nodes that are alive.

using GrainKV.Versioning;
using Orleans.Services;

namespace GrainKV;

/// <summary>The replicas of every range a node holds, in that node's engine.</summary>
[Alias("grainkv.IReplicaService")]
public interface IReplicaService : IGrainService
{
    /// <summary>Sloppy quorum: keeps <paramref name="versions"/> of <paramref name="key"/> on this node as a durable hint
    /// for <paramref name="owner"/> (a replica of the range that is down), to be delivered when it is back. Fails
    /// (<see cref="ReplicaUnavailableException"/>) if the hint could not be kept.</summary>
    [Alias("StoreHint")]
    Task StoreHint(string owner, int range, byte[] key, StoredVersion[] versions, CancellationToken cancellationToken = default);

    /// <summary>Sloppy reads: the versions of <paramref name="key"/> this node keeps as hints for any of <paramref name="owners"/>.</summary>
    [Alias("ReadHints")]
    Task<StoredVersion[]> ReadHints(string[] owners, int range, byte[] key, CancellationToken cancellationToken = default);

    /// <summary>Runs many replica operations at once, answering each in request order; a failing operation fails only its
    /// own answer (<see cref="ReplicaReply.Error"/>). The operations (<see cref="ReplicaRequestKind"/>):
    /// <list type="bullet">
    /// <item>Read: the versions of the key stored in the range (empty if none), once they are durable; with
    /// <see cref="ReplicaRequest.WithoutValues"/>, their headers at once.</item>
    /// <item>Coordinate: creates a new version of the key on this node (the write's coordinating replica): its clock
    /// supersedes the request's context and its dot is unique for this node's incarnation; a null value is a tombstone;
    /// with a time to live, the version expires that long after this node's now. Answers the key's whole version set on
    /// this node after the write, which is what the other replicas are sent.</item>
    /// <item>Apply: merges the request's versions into the stored versions of the key (answers no versions).</item>
    /// </list></summary>
    [Alias("Batch")]
    Task<ReplicaReply[]> Batch(ReplicaRequest[] requests, CancellationToken cancellationToken = default);
}
