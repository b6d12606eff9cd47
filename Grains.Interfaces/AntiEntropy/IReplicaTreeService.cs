// What one node's replicas offer anti-entropy: a range's Merkle tree hashes (top-down diff), the keys and digests
// of chosen leaves, reading and merging whole version sets in batches, the tombstone purge, and the node's
// figures for the status. One grain service per silo, addressed by the silo's address (like the replica service:
// no grain directory, so a dead node fails only the calls sent to it).

using GrainKV.Versioning;
using Orleans.Services;

namespace GrainKV.AntiEntropy;

/// <summary>A key of a replica and the digest of its stored version set (key, dots, tombstone flags).</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.KeyDigest")]
public readonly record struct KeyDigest([property: Id(0)] byte[] Key, [property: Id(1)] ulong Digest);

/// <summary>The anti-entropy side of a node's replicas.</summary>
[Alias("grainkv.IReplicaTreeService")]
public interface IReplicaTreeService : IGrainService
{
    /// <summary>The hashes of the given heap nodes of <paramref name="range"/>'s tree (1 = root; leaves are L..2L−1).
    /// Builds the tree from the engine first if this node has not built it since it started.</summary>
    [Alias("Hashes")]
    Task<ulong[]> Hashes(int range, int[] nodes, CancellationToken cancellationToken = default);

    /// <summary>Every key of <paramref name="range"/> in the given leaves (0..L−1) with its digest, in key order.</summary>
    [Alias("LeafKeys")]
    Task<KeyDigest[]> LeafKeys(int range, int[] leaves, CancellationToken cancellationToken = default);

    /// <summary>The stored version sets of <paramref name="keys"/> (empty for an absent key), once durable.</summary>
    [Alias("ReadMany")]
    Task<StoredVersion[][]> ReadMany(int range, byte[][] keys, CancellationToken cancellationToken = default);

    /// <summary>Merges <paramref name="sets"/>[i] into the stored versions of <paramref name="keys"/>[i].</summary>
    [Alias("ApplyMany")]
    Task ApplyMany(int range, byte[][] keys, StoredVersion[][] sets, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> keys whose stored sets are only tombstones, each older than
    /// <paramref name="cutoffUnixMs"/>, with their digests.</summary>
    [Alias("PurgeCandidates")]
    Task<KeyDigest[]> PurgeCandidates(int range, long cutoffUnixMs, int max, CancellationToken cancellationToken = default);

    /// <summary>For each key: true if its stored set's digest is <paramref name="digests"/>[i].</summary>
    [Alias("Holds")]
    Task<bool[]> Holds(int range, byte[][] keys, ulong[] digests, CancellationToken cancellationToken = default);

    /// <summary>Purges each key whose stored set is still exactly the tombstones of digest <paramref name="digests"/>[i];
    /// returns how many were purged.</summary>
    [Alias("Purge")]
    Task<int> Purge(int range, byte[][] keys, ulong[] digests, CancellationToken cancellationToken = default);

    /// <summary>This node's anti-entropy figures since it started.</summary>
    [Alias("GetStatus")]
    Task<NodeAntiEntropyStatus> GetStatus(CancellationToken cancellationToken = default);
}
