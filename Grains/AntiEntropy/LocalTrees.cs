// The anti-entropy side of this node's replicas: builds a range's Merkle tree from the engine when it is first
// needed after start, answers tree hashes and leaf listings, and reads and merges version sets in batches
// (through LocalReplicas, so each key's read-merge-write takes the same lock as a coordinator's).
//
// Building a tree: with every key lock of the node held (LocalReplicas.PauseWritesAsync; no read-merge-write is
// half done), take the engine's snapshot of the range and switch the range's tree to tracking; release the locks.
// Each write before the switch is in the snapshot and was not reported to the tree; each write after it reports
// its change (before → after digest) to the tree and, being later than the snapshot, is not in it. The scan of
// the snapshot then runs without any lock, and its digests are XORed into the leaves in one step. Writes stop
// only for the switch (the snapshot copies the range's memtable entries), not for the scan; docs/ANTI_ENTROPY.md
// has the measured cost.

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
            result[i] = await replicas.ReadAsync(range, keys[i]);
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

    private async Task BuildAsync(int range, RangeTree tree)
    {
        var started = clock.Time.GetTimestamp();
        IEnumerable<KeyValuePair<byte[], byte[]>> snapshot;
        TimeSpan paused;
        using (await replicas.PauseWritesAsync())
        {
            var pausedAt = clock.Time.GetTimestamp();
            snapshot = store.Engine.Scan(StorageKeys.RangeStart(range), StorageKeys.RangeEnd(range));
            tree.BeginTracking();
            paused = clock.Time.GetElapsedTime(pausedAt);
        }

        try
        {
            var (leaves, keys) = await Task.Run(() =>
            {
                var changes = new ulong[trees.Leaves];
                long count = 0;
                foreach (var (engineKey, value) in snapshot)
                {
                    var key = StorageKeys.UserKey(engineKey);
                    if (RangeTrees.DigestOf(key, VersionSetCodec.Decode(value)) is { } digest)
                    {
                        changes[MerkleTree.LeafOf(key, trees.Leaves)] ^= digest;
                        count++;
                    }
                }

                return (changes, count);
            });
            tree.CompleteBuild(leaves, keys);
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
