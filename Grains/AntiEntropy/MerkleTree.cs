// The Merkle tree of one (node, range) replica, for anti-entropy: keys fall into leaves by key hash, a leaf's
// hash combines the digests of its keys' stored version sets, and inner nodes hash their two children, so two
// replicas compare roots first and descend only into the subtrees that differ.
//
// - Leaf of a key: the low bits of XxHash64(key). (The range a key belongs to is the *top* bits of the same
//   hash, so within one range the low bits still spread keys evenly over the leaves.)
// - Key digest: XxHash64 over the key and its version set's dots and tombstone flags (and, for a version with a
//   time to live, its expiry instant), in canonical order (see Digest). Values are not hashed: a dot names one
//   write, so equal dots mean equal data.
// - Expiry never changes a digest. The digest hashes the stored versions, not what a read would return now: an
//   expired version hashes as it did while live, and a reclaimed copy (its value dropped by compaction or a
//   write, StoredVersion.IsReclaimed) hashes as the full one, since neither the value nor the time is hashed.
//   So trees change only when replicas' stored writes differ, never because time passed or a node compacted,
//   and replicas whose clocks disagree about expiry still agree on their trees. An expired set leaves the tree
//   only when anti-entropy purges it on every replica at once (RangeExchange.PurgeAsync), like a tombstone.
// - Leaf hash: the XOR of its keys' digests. Equal contents give equal leaves whatever the write order, and a
//   write updates a leaf in O(1) (XOR the old digest out, the new one in) plus the log2(leaves) inner nodes
//   above it; no rescan is needed.
// - Inner node: XxHash64 of its children's hashes. Nodes are numbered as a heap: 1 is the root, node n has
//   children 2n and 2n+1, and the leaves are nodes Leaves..2*Leaves-1.
//
// Not thread-safe: the owner serializes updates (per range) and snapshots for exchanges.

using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using GrainKV.Versioning;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>An incrementally maintained hash tree over one replica's keys.</summary>
public sealed class MerkleTree
{
    private readonly ulong[] _nodes;

    /// <param name="leaves">Number of leaves, a power of two (default 1,024).</param>
    public MerkleTree(int leaves = 1024)
    {
        if (leaves < 2 || !System.Numerics.BitOperations.IsPow2(leaves))
        {
            throw new ArgumentOutOfRangeException(nameof(leaves), leaves, "The leaf count must be a power of two of at least 2.");
        }

        Leaves = leaves;
        _nodes = new ulong[2 * leaves];
        for (var node = leaves - 1; node >= 1; node--)
        {
            _nodes[node] = Combine(_nodes[2 * node], _nodes[(2 * node) + 1]);
        }
    }

    public int Leaves { get; }

    /// <summary>The root hash: equal for equal contents.</summary>
    public ulong Root => _nodes[1];

    /// <summary>The hash of heap node <paramref name="node"/> (1 = root; leaves are Leaves..2*Leaves-1).</summary>
    public ulong Hash(int node) => _nodes[node];

    /// <summary>The leaf (0..Leaves-1) that holds <paramref name="key"/>.</summary>
    public int LeafOf(ReadOnlySpan<byte> key) => LeafOf(key, Leaves);

    /// <summary>The leaf (0..leaves-1) that holds <paramref name="key"/> in a tree of <paramref name="leaves"/> leaves.</summary>
    public static int LeafOf(ReadOnlySpan<byte> key, int leaves) => (int)(XxHash64.HashToUInt64(key) & (ulong)(leaves - 1));

    /// <summary>Records that <paramref name="key"/>'s digest changed from <paramref name="before"/> to
    /// <paramref name="after"/> (null: the key was absent / is gone).</summary>
    public void Update(ReadOnlySpan<byte> key, ulong? before, ulong? after)
    {
        var change = (before ?? 0) ^ (after ?? 0);
        if (change == 0)
        {
            return;
        }

        var node = Leaves + LeafOf(key);
        _nodes[node] ^= change;
        for (node >>= 1; node >= 1; node >>= 1)
        {
            _nodes[node] = Combine(_nodes[2 * node], _nodes[(2 * node) + 1]);
        }
    }

    /// <summary>XORs <paramref name="leafChanges"/>[i] into leaf i for every leaf, then recomputes the inner nodes once:
    /// how a tree built from a scan takes the scan's digests in one step (O(leaves)).</summary>
    public void ApplyLeafChanges(ReadOnlySpan<ulong> leafChanges)
    {
        if (leafChanges.Length != Leaves)
        {
            throw new ArgumentException($"Expected {Leaves} leaf changes, got {leafChanges.Length}.", nameof(leafChanges));
        }

        for (var leaf = 0; leaf < Leaves; leaf++)
        {
            _nodes[Leaves + leaf] ^= leafChanges[leaf];
        }

        for (var node = Leaves - 1; node >= 1; node--)
        {
            _nodes[node] = Combine(_nodes[2 * node], _nodes[(2 * node) + 1]);
        }
    }

    /// <summary>The digest of a key's stored version set: key, then each version's dot and tombstone flag (and expiry, if
    /// it has one) in canonical order (node id ordinal, then counter). Independent of the order the versions are given
    /// in, of the time, and of whether an expired version's value was reclaimed.</summary>
    public static ulong Digest(ReadOnlySpan<byte> key, IEnumerable<StoredVersion> versions)
    {
        var hash = new XxHash64();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, key.Length);
        hash.Append(length);
        hash.Append(key);
        Span<byte> fields = stackalloc byte[17];
        foreach (var version in versions.OrderBy(v => v.Node, StringComparer.Ordinal).ThenBy(v => v.Counter))
        {
            var node = Encoding.UTF8.GetBytes(version.Node);
            BinaryPrimitives.WriteInt32LittleEndian(length, node.Length);
            hash.Append(length);
            hash.Append(node);
            BinaryPrimitives.WriteUInt64LittleEndian(fields, version.Counter);
            fields[8] = version.IsTombstone ? (byte)1 : (byte)0;
            if (version.Expires)
            {
                // Only expiring versions hash 17 bytes, so the digests of sets without expiry are unchanged.
                BinaryPrimitives.WriteInt64LittleEndian(fields[9..], version.ExpiresAtMs);
                hash.Append(fields);
            }
            else
            {
                hash.Append(fields[..9]);
            }
        }

        // 0 means "no key" in a leaf's XOR: never produce it for a key.
        return hash.GetCurrentHashAsUInt64() is var digest and not 0 ? digest : 1;
    }

    /// <summary>The leaves whose hashes differ from another tree's, found top-down: <paramref name="remote"/> is asked
    /// for the hashes of given heap nodes (one call per level, only for children of differing nodes), so identical
    /// trees cost one call with the root.</summary>
    public async Task<List<int>> DiffAsync(Func<int[], Task<ulong[]>> remote)
    {
        var differing = new List<int>();
        int[] level = [1];
        while (level.Length > 0)
        {
            var theirs = await remote(level);
            var next = new List<int>();
            for (var i = 0; i < level.Length; i++)
            {
                var node = level[i];
                if (theirs[i] == _nodes[node])
                {
                    continue;
                }

                if (node >= Leaves)
                {
                    differing.Add(node - Leaves);
                }
                else
                {
                    next.Add(2 * node);
                    next.Add((2 * node) + 1);
                }
            }

            level = [.. next];
        }

        differing.Sort();
        return differing;
    }

    /// <summary>The hashes of the given heap nodes (the remote side of <see cref="DiffAsync"/>).</summary>
    public ulong[] Hashes(int[] nodes) => Array.ConvertAll(nodes, n => _nodes[n]);

    private static ulong Combine(ulong left, ulong right)
    {
        Span<byte> both = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(both, left);
        BinaryPrimitives.WriteUInt64LittleEndian(both[8..], right);
        return XxHash64.HashToUInt64(both);
    }
}
