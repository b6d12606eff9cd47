// What one node's replica of a range offers anti-entropy: its Merkle tree's hashes (top-down diff), the keys
// and digests of chosen leaves, and reading and merging whole version sets in batches. Placed on its node like
// the replica grain (key "node/range").

using GrainKV.Versioning;

namespace GrainKV.AntiEntropy;

/// <summary>A key of a replica and the digest of its stored version set (key, dots, tombstone flags).</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.KeyDigest")]
public readonly record struct KeyDigest([property: Id(0)] byte[] Key, [property: Id(1)] ulong Digest);

/// <summary>The anti-entropy side of a range's replica on one node; key = "{nodeId}/{range}".</summary>
[Alias("grainkv.IReplicaTreeGrain")]
public interface IReplicaTreeGrain : IGrainWithStringKey
{
    /// <summary>The hashes of the given heap nodes of the range's tree (1 = root; leaves are L..2L−1). Builds the tree
    /// from the engine first if this node has not built it since it started.</summary>
    [Alias("Hashes")]
    Task<ulong[]> Hashes(int[] nodes, CancellationToken cancellationToken = default);

    /// <summary>Every key in the given leaves (0..L−1) with its digest, in key order.</summary>
    [Alias("LeafKeys")]
    Task<KeyDigest[]> LeafKeys(int[] leaves, CancellationToken cancellationToken = default);

    /// <summary>The stored version sets of <paramref name="keys"/> (empty for an absent key), once durable.</summary>
    [Alias("ReadMany")]
    Task<StoredVersion[][]> ReadMany(byte[][] keys, CancellationToken cancellationToken = default);

    /// <summary>Merges <paramref name="sets"/>[i] into the stored versions of <paramref name="keys"/>[i].</summary>
    [Alias("ApplyMany")]
    Task ApplyMany(byte[][] keys, StoredVersion[][] sets, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> keys whose stored sets are only tombstones, each older than
    /// <paramref name="cutoffUnixMs"/>, with their digests.</summary>
    [Alias("PurgeCandidates")]
    Task<KeyDigest[]> PurgeCandidates(long cutoffUnixMs, int max, CancellationToken cancellationToken = default);

    /// <summary>For each key: true if its stored set's digest is <paramref name="digests"/>[i].</summary>
    [Alias("Holds")]
    Task<bool[]> Holds(byte[][] keys, ulong[] digests, CancellationToken cancellationToken = default);

    /// <summary>Purges each key whose stored set is still exactly the tombstones of digest <paramref name="digests"/>[i];
    /// returns how many were purged.</summary>
    [Alias("Purge")]
    Task<int> Purge(byte[][] keys, ulong[] digests, CancellationToken cancellationToken = default);
}
