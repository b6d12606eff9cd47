// The anti-entropy side of this node's replicas: builds a range's Merkle tree from the engine when it is first
// needed after start, answers tree hashes and leaf listings, and reads and merges version sets in batches
// (through LocalReplicas, so each key's read-merge-write takes the same lock as a coordinator's).
//
// Building a tree: with the range's writes paused (LocalReplicas.PauseWritesAsync: no store of the range is half
// done, and other ranges go on), take the engine's snapshot of the range and switch its tree to tracking; resume.
// Each write before the switch is in the snapshot and was not reported to the tree; each write after it reports
// its change (before → after digest) to the tree and, being later than the snapshot, is not in it. The scan of
// the snapshot then runs without any pause, and its digests are XORed into the leaves in one step. The range's
// writes stop only for the switch (the snapshot copies the range's memtable entries), not for the scan;
// docs/ANTI_ENTROPY.md has the measured cost.

using System.Diagnostics;
using GrainKV.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>This node's replicas as anti-entropy sees them.</summary>
public sealed partial class LocalTrees(LocalStore store, LocalReplicas replicas, RangeTrees trees, GrainKvClock clock, ILogger<LocalTrees> logger)
{
    /// <summary>The range's tree, built first if needed.</summary>
    public async Task<RangeTree> ReadyTreeAsync(int range)
    {
        var tree = trees.Of(range);
        if (!tree.IsReady)
        {
            await tree.EnsureBuiltAsync(() => BuildAsync(range, tree));
        }

        return tree;
    }

    /// <summary>The hashes of heap nodes of the range's tree.</summary>
    public async Task<ulong[]> HashesAsync(int range, int[] nodes) => (await ReadyTreeAsync(range)).Hashes(nodes);

    /// <summary>The keys of the given leaves with their digests, in key order.</summary>
    public Task<KeyDigest[]> LeafKeysAsync(int range, int[] leaves)
    {
        var wanted = new bool[trees.Leaves];
        foreach (var leaf in leaves)
        {
            wanted[leaf] = true;
        }

        return Task.Run(() =>
        {
            var result = new List<KeyDigest>();
            foreach (var (engineKey, value) in store.Engine.Scan(StorageKeys.RangeStart(range), StorageKeys.RangeEnd(range)))
            {
                var key = StorageKeys.UserKey(engineKey);
                if (wanted[MerkleTree.LeafOf(key, trees.Leaves)])
                {
                    var digest = RangeTrees.DigestOf(key, VersionSetCodec.Decode(value));
                    if (digest is { } d)
                    {
                        result.Add(new KeyDigest(key.ToArray(), d));
                    }
                }
            }

            return result.ToArray();
        });
    }

    /// <summary>The stored sets of <paramref name="keys"/>, once durable.</summary>
    public async Task<StoredVersion[][]> ReadManyAsync(int range, byte[][] keys)
    {
        var result = new StoredVersion[keys.Length][];
        for (var i = 0; i < keys.Length; i++)
        {
            result[i] = await replicas.ReadDurableAsync(range, keys[i]);
        }

        return result;
    }

    /// <summary>Merges each set into its key's stored versions.</summary>
    public async Task ApplyManyAsync(int range, byte[][] keys, StoredVersion[][] sets)
    {
        if (keys.Length != sets.Length)
        {
            throw new ArgumentException($"{keys.Length} keys but {sets.Length} version sets.", nameof(sets));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            await replicas.ApplyAsync(range, keys[i], sets[i]);
        }
    }

    /// <summary>Up to <paramref name="max"/> keys whose stored sets are only tombstones, all older than
    /// <paramref name="cutoffMs"/>, with their digests. Scans the range only when its tree says such a key may exist.</summary>
    public async Task<KeyDigest[]> PurgeCandidatesAsync(int range, long cutoffMs, int max)
    {
        var tree = await ReadyTreeAsync(range);
        if (!tree.MayHaveTombstonesBefore(cutoffMs))
        {
            return [];
        }

        var epoch = tree.TombstoneEpoch;
        return await Task.Run(() =>
        {
            var result = new List<KeyDigest>();
            var oldestKept = long.MaxValue;
            foreach (var (engineKey, value) in store.Engine.Scan(StorageKeys.RangeStart(range), StorageKeys.RangeEnd(range)))
            {
                var versions = VersionSetCodec.Decode(value);
                if (RangeTrees.NewestTombstoneMs(versions) is not { } newest)
                {
                    continue;
                }

                if (newest < cutoffMs && result.Count < max)
                {
                    var key = StorageKeys.UserKey(engineKey).ToArray();
                    result.Add(new KeyDigest(key, MerkleTree.Digest(key, versions)));
                }
                else
                {
                    oldestKept = Math.Min(oldestKept, newest);
                }
            }

            // The purge that follows may fail: keep the candidates' bound so the next exchange looks again.
            tree.NarrowOldestTombstone(result.Count == 0 ? oldestKept : Math.Min(oldestKept, cutoffMs - 1), epoch);
            return result.ToArray();
        });
    }

    /// <summary>For each key: true if its stored set's digest is <paramref name="digests"/>[i].</summary>
    public async Task<bool[]> HoldsAsync(int range, byte[][] keys, ulong[] digests)
    {
        var result = new bool[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var stored = await replicas.ReadDurableAsync(range, keys[i]);
            result[i] = RangeTrees.DigestOf(keys[i], stored) == digests[i];
        }

        return result;
    }

    /// <summary>Purges each key whose stored set is still exactly the tombstones of digest <paramref name="digests"/>[i];
    /// returns how many were purged.</summary>
    public async Task<int> PurgeAsync(int range, byte[][] keys, ulong[] digests)
    {
        var purged = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            purged += await replicas.PurgeAsync(range, keys[i], digests[i]) ? 1 : 0;
        }

        return purged;
    }

    private async Task BuildAsync(int range, RangeTree tree)
    {
        var started = clock.Time.GetTimestamp();
        IEnumerable<KeyValuePair<byte[], byte[]>> snapshot;
        TimeSpan paused;
        using (await replicas.PauseWritesAsync(range))
        {
            var pausedAt = clock.Time.GetTimestamp();
            snapshot = store.Engine.Scan(StorageKeys.RangeStart(range), StorageKeys.RangeEnd(range));
            tree.BeginTracking();
            paused = clock.Time.GetElapsedTime(pausedAt);
        }

        try
        {
            var (leaves, keys, tombstoneKeys, oldestTombstone) = await Task.Run(() =>
            {
                var changes = new ulong[trees.Leaves];
                long count = 0, tombstones = 0, oldest = long.MaxValue;
                foreach (var (engineKey, value) in snapshot)
                {
                    var key = StorageKeys.UserKey(engineKey);
                    var versions = VersionSetCodec.Decode(value);
                    if (RangeTrees.DigestOf(key, versions) is { } digest)
                    {
                        changes[MerkleTree.LeafOf(key, trees.Leaves)] ^= digest;
                        count++;
                    }

                    if (RangeTrees.NewestTombstoneMs(versions) is { } newest)
                    {
                        tombstones++;
                        oldest = Math.Min(oldest, newest);
                    }
                }

                return (changes, count, tombstones, oldest);
            });
            tree.CompleteBuild(leaves, keys, tombstoneKeys, oldestTombstone);
            tree.LastBuild = (clock.Time.GetElapsedTime(started), paused);
            LogBuilt(range, keys, tree.LastBuild.Total.TotalMilliseconds, paused.TotalMilliseconds);
        }
        catch (Exception)
        {
            tree.Abandon();
            throw;
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "Built the Merkle tree of range {Range}: {Keys} keys in {Milliseconds:F1} ms (writes paused {PausedMilliseconds:F2} ms)")]
    private partial void LogBuilt(int range, long keys, double milliseconds, double pausedMilliseconds);
}
