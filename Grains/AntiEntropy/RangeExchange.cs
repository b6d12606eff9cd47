// One exchange of a range between its live replicas (two or more, each reached through its node's
// ReplicaTreeService), run by the range's AntiEntropyGrain:
//
// 1. Top-down diff: every replica is asked for the hashes of the same heap nodes, level by level, starting with
//    the root; only the children of nodes on which the replicas disagree are asked for next. Identical replicas
//    cost one round of roots.
// 2. Leaf listings: for the differing leaves, every replica lists its keys with their digests; keys whose
//    digests are not the same on every replica (or that some replica lacks) are the divergent keys.
// 3. Repair: for each divergent key, one replica per distinct digest is read (so a key one replica lacks costs
//    one read), the sets are merged with VersionSet.Merge (siblings survive; what a version's past covers goes),
//    and the merged set is sent to every replica whose digest differs from the merged one. Merging is what
//    ApplyAsync does on the replica too, so a write racing with the exchange is never lost.
//
// What moves is counted as it moves: 8 bytes per hash, key + 8 bytes per listed key, key + encoded set per version
// set read or sent. Each step is charged to the node's throttle before the next one starts.

using GrainKV.AntiEntropy;
using GrainKV.Versioning;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>Counts of one exchange.</summary>
public sealed class ExchangeTally
{
    public int HashesCompared { get; set; }

    public int LeavesDiffering { get; set; }

    public int KeysDiffering { get; set; }

    public int KeysRepaired { get; set; }

    public int VersionSetsMoved { get; set; }

    public long BytesMoved { get; set; }

    public int TombstonesPurged { get; set; }
}

/// <summary>Compares and repairs one range across its replicas.</summary>
public sealed class RangeExchange(int range, int leaves, ExchangeThrottle throttle)
{
    private const int LeafBatch = 1024;
    private const int KeyBatch = 256;

    private const int PurgeBatch = 1024;

    /// <summary>Runs the exchange; <paramref name="replicas"/> are the range's live replicas. With
    /// <paramref name="purgeBeforeUnixMs"/> (only when <paramref name="replicas"/> are the whole preference list), tombstones
    /// older than it that every replica holds are purged afterwards (see PurgeAsync).</summary>
    public async Task<ExchangeTally> RunAsync(IReadOnlyList<IReplicaTreeService> replicas, CancellationToken cancellationToken, long? purgeBeforeUnixMs = null)
    {
        var tally = new ExchangeTally();
        var differing = await DiffAsync(replicas, tally, cancellationToken);
        tally.LeavesDiffering = differing.Count;
        for (var start = 0; start < differing.Count; start += LeafBatch)
        {
            var batch = differing.GetRange(start, Math.Min(LeafBatch, differing.Count - start)).ToArray();
            var listings = await Task.WhenAll(replicas.Select(r => r.LeafKeys(range, batch, cancellationToken)));
            var listed = listings.Sum(l => l.Sum(k => (long)k.Key.Length + sizeof(ulong)));
            tally.BytesMoved += listed;
            await throttle.SpendAsync(listed, cancellationToken);

            var divergent = Divergent(listings);
            for (var k = 0; k < divergent.Count; k += KeyBatch)
            {
                await RepairAsync(replicas, divergent.GetRange(k, Math.Min(KeyBatch, divergent.Count - k)), tally, cancellationToken);
            }
        }

        if (purgeBeforeUnixMs is { } cutoff)
        {
            await PurgeAsync(replicas, cutoff, rootsEqual: differing.Count == 0, tally, cancellationToken);
        }

        return tally;
    }

    /// <summary>Deletes that stay deleted: a tombstone set goes only when (1) the replicas are the range's whole preference
    /// list, (2) their roots are equal after the repair (every replica held the same sets at that moment; not asked
    /// again when they were equal from the start), (3) every
    /// replica then confirms it holds exactly that set, and (4) its newest tombstone is older than the cutoff (grace
    /// period). Each replica purges a key only if its set is still exactly the confirmed one, so a write that arrived
    /// meanwhile is kept (and, if concurrent, brings the tombstone back as a sibling at the next exchange: harmless). The
    /// version a tombstone deleted is gone from every replica by (3), and hints older than the grace period are not
    /// delivered, so nothing within the range can bring it back.</summary>
    private async Task PurgeAsync(IReadOnlyList<IReplicaTreeService> replicas, long cutoff, bool rootsEqual, ExchangeTally tally, CancellationToken cancellationToken)
    {
        if (!rootsEqual)
        {
            var roots = await Task.WhenAll(replicas.Select(r => r.Hashes(range, [1], cancellationToken)));
            tally.HashesCompared += replicas.Count;
            tally.BytesMoved += sizeof(ulong) * replicas.Count;
            if (roots.Any(r => r[0] != roots[0][0]))
            {
                return;
            }
        }

        var candidates = await replicas[0].PurgeCandidates(range, cutoff, PurgeBatch, cancellationToken);
        if (candidates.Length == 0)
        {
            return;
        }

        var keys = candidates.Select(c => c.Key).ToArray();
        var digests = candidates.Select(c => c.Digest).ToArray();
        var held = await Task.WhenAll(replicas.Select(r => r.Holds(range, keys, digests, cancellationToken)));
        var bytes = candidates.Sum(c => (long)c.Key.Length + sizeof(ulong)) * (replicas.Count + 1);
        tally.BytesMoved += bytes;
        await throttle.SpendAsync(bytes, cancellationToken);

        var confirmed = Enumerable.Range(0, keys.Length).Where(i => held.All(h => h[i])).ToArray();
        if (confirmed.Length == 0)
        {
            return;
        }

        var purged = await Task.WhenAll(replicas.Select(r => r.Purge(
            range, confirmed.Select(i => keys[i]).ToArray(), confirmed.Select(i => digests[i]).ToArray(), cancellationToken)));
        tally.TombstonesPurged += purged.Sum();
    }

    private async Task<List<int>> DiffAsync(IReadOnlyList<IReplicaTreeService> replicas, ExchangeTally tally, CancellationToken cancellationToken)
    {
        var differing = new List<int>();
        int[] level = [1];
        while (level.Length > 0)
        {
            var nodes = level;
            var hashes = await Task.WhenAll(replicas.Select(r => r.Hashes(range, nodes, cancellationToken)));
            tally.HashesCompared += nodes.Length * replicas.Count;
            var bytes = (long)sizeof(ulong) * nodes.Length * replicas.Count;
            tally.BytesMoved += bytes;
            await throttle.SpendAsync(bytes, cancellationToken);

            var next = new List<int>();
            for (var i = 0; i < nodes.Length; i++)
            {
                if (hashes.All(h => h[i] == hashes[0][i]))
                {
                    continue;
                }

                if (nodes[i] >= leaves)
                {
                    differing.Add(nodes[i] - leaves);
                }
                else
                {
                    next.Add(2 * nodes[i]);
                    next.Add((2 * nodes[i]) + 1);
                }
            }

            level = [.. next];
        }

        differing.Sort();
        return differing;
    }

    /// <summary>The keys whose digests differ between replicas (absent counts as a digest), with every replica's digest.</summary>
    private static List<(byte[] Key, ulong?[] Digests)> Divergent(KeyDigest[][] listings)
    {
        var byKey = new Dictionary<byte[], ulong?[]>(KeyComparer.Instance);
        for (var r = 0; r < listings.Length; r++)
        {
            foreach (var entry in listings[r])
            {
                if (!byKey.TryGetValue(entry.Key, out var digests))
                {
                    digests = new ulong?[listings.Length];
                    byKey.Add(entry.Key, digests);
                }

                digests[r] = entry.Digest;
            }
        }

        return byKey
            .Where(e => e.Value.Any(d => d != e.Value[0]))
            .Select(e => (e.Key, e.Value))
            .ToList();
    }

    private async Task RepairAsync(IReadOnlyList<IReplicaTreeService> replicas, List<(byte[] Key, ulong?[] Digests)> keys, ExchangeTally tally, CancellationToken cancellationToken)
    {
        // One read per distinct digest of a key.
        var reads = new List<int>[replicas.Count];
        for (var r = 0; r < replicas.Count; r++)
        {
            reads[r] = [];
        }

        for (var k = 0; k < keys.Count; k++)
        {
            var seen = new HashSet<ulong>();
            for (var r = 0; r < replicas.Count; r++)
            {
                if (keys[k].Digests[r] is { } digest && seen.Add(digest))
                {
                    reads[r].Add(k);
                }
            }
        }

        var sets = await Task.WhenAll(Enumerable.Range(0, replicas.Count).Select(r => reads[r].Count == 0
            ? Task.FromResult(Array.Empty<StoredVersion[]>())
            : replicas[r].ReadMany(range, reads[r].Select(k => keys[k].Key).ToArray(), cancellationToken)));
        var found = new List<StoredVersion>[keys.Count];
        long readBytes = 0;
        for (var r = 0; r < replicas.Count; r++)
        {
            for (var i = 0; i < reads[r].Count; i++)
            {
                var k = reads[r][i];
                (found[k] ??= []).AddRange(sets[r][i]);
                readBytes += keys[k].Key.Length + VersionSetCodec.Encode(sets[r][i]).Length;
                tally.VersionSetsMoved++;
            }
        }

        tally.BytesMoved += readBytes;
        await throttle.SpendAsync(readBytes, cancellationToken);

        // Send the merged set to every replica that does not hold exactly it.
        var sends = new List<(byte[] Key, StoredVersion[] Set)>[replicas.Count];
        long sentBytes = 0;
        for (var r = 0; r < replicas.Count; r++)
        {
            sends[r] = [];
        }

        for (var k = 0; k < keys.Count; k++)
        {
            tally.KeysDiffering++;
            if (found[k] is not { Count: > 0 } versions)
            {
                continue;
            }

            var merged = VersionSet.Merge(versions);
            var digest = MerkleTree.Digest(keys[k].Key, merged);
            var size = keys[k].Key.Length + VersionSetCodec.Encode(merged).Length;
            for (var r = 0; r < replicas.Count; r++)
            {
                if (keys[k].Digests[r] != digest)
                {
                    sends[r].Add((keys[k].Key, merged));
                    sentBytes += size;
                    tally.VersionSetsMoved++;
                    tally.KeysRepaired++;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, replicas.Count).Where(r => sends[r].Count > 0).Select(r =>
            replicas[r].ApplyMany(range, sends[r].Select(s => s.Key).ToArray(), sends[r].Select(s => s.Set).ToArray(), cancellationToken)));
        tally.BytesMoved += sentBytes;
        await throttle.SpendAsync(sentBytes, cancellationToken);
    }

    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => (int)System.IO.Hashing.XxHash3.HashToUInt64(obj);
    }
}
