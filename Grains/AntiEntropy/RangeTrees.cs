// The Merkle trees of this node's replicas, one per range, kept in memory and up to date incrementally.
//
// A range's tree does not exist until an exchange first needs it after this node started; then it is built
// from a scan of the range in the engine (LocalTrees). From the moment the scan's snapshot is taken, every
// change of a key's stored version set in the range is applied to the tree (LocalReplicas calls Changed,
// under the key's lock, after the engine write). Because a leaf is the XOR of its keys' digests, changes and
// the scan's digests may be applied in any order and still give the tree of the current contents; the one
// thing that must not happen is a change counted twice or not at all, which the snapshot-and-switch done
// with the range's writes paused rules out (see LocalTrees.BuildAsync).
//
// Until the tree of a range exists, writes to it cost nothing here (one dictionary lookup).

using System.Collections.Concurrent;
using GrainKV.Versioning;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>This node's range trees.</summary>
public sealed class RangeTrees
{
    private readonly ConcurrentDictionary<int, RangeTree> _trees = new();
    private readonly int _leaves;

    public RangeTrees(int leaves) => _leaves = leaves;

    /// <summary>Leaves per tree.</summary>
    public int Leaves => _leaves;

    /// <summary>The tree slot of <paramref name="range"/> (created empty and not tracking on first use).</summary>
    public RangeTree Of(int range) => _trees.GetOrAdd(range, static (_, leaves) => new RangeTree(leaves), _leaves);

    /// <summary>The ranges whose trees exist (built or being built), with their key counts.</summary>
    public IEnumerable<(int Range, long Keys)> Tracked() =>
        _trees.Where(t => t.Value.IsTracking).Select(t => (t.Key, t.Value.Keys));

    /// <summary>Called under the key's lock after its stored set changed from <paramref name="before"/> to
    /// <paramref name="after"/> (empty = absent).</summary>
    public void Changed(int range, ReadOnlySpan<byte> key, IReadOnlyCollection<StoredVersion> before, IReadOnlyCollection<StoredVersion> after)
    {
        if (_trees.TryGetValue(range, out var tree) && tree.IsTracking)
        {
            tree.Update(key, DigestOf(key, before), DigestOf(key, after), NewestTombstoneMs(before), NewestTombstoneMs(after));
        }
    }

    /// <summary>For a set of tombstones only: the newest one's timestamp (the set may be purged once that is older than
    /// the grace period). Null for an empty set or one that holds a value.</summary>
    public static long? NewestTombstoneMs(IReadOnlyCollection<StoredVersion> versions) =>
        versions.Count > 0 && versions.All(v => v.IsTombstone) ? versions.Max(v => v.TimestampMs) : null;

    /// <summary>The digest of a stored set, null when empty (the key is absent).</summary>
    public static ulong? DigestOf(ReadOnlySpan<byte> key, IReadOnlyCollection<StoredVersion> versions) =>
        versions.Count == 0 ? null : MerkleTree.Digest(key, versions);
}

/// <summary>One range's tree: absent, tracking (being built or ready), and a key count. Thread-safe.</summary>
public sealed class RangeTree
{
    private readonly object _gate = new();
    private readonly int _leaves;
    private MerkleTree? _tree;
    private Task? _build;
    private volatile bool _ready;
    private long _keys;
    private long _tombstoneKeys;
    private long _oldestTombstoneMs = long.MaxValue;
    private long _tombstoneEpoch;

    internal RangeTree(int leaves) => _leaves = leaves;

    /// <summary>True once changes are applied to the tree (its build has taken its snapshot).</summary>
    public bool IsTracking => Volatile.Read(ref _tree) is not null;

    /// <summary>True once the tree matches the range's contents.</summary>
    public bool IsReady => _ready;

    /// <summary>Keys in the range (meaningful once ready).</summary>
    public long Keys => Interlocked.Read(ref _keys);

    /// <summary>How long the last build took (snapshot switch, scan and digests), and how long it held writes.</summary>
    public (TimeSpan Total, TimeSpan WritesPaused) LastBuild { get; internal set; }

    /// <summary>Runs <paramref name="build"/> once (concurrent callers await the same build); a failed build may be retried.</summary>
    internal Task EnsureBuiltAsync(Func<Task> build)
    {
        lock (_gate)
        {
            if (_ready)
            {
                return Task.CompletedTask;
            }

            if (_build is null || _build.IsFaulted || _build.IsCanceled)
            {
                // Off the caller's lock and scheduler: the build pauses the range's writes first.
                _build = Task.Run(build);
            }

            return _build;
        }
    }

    /// <summary>Starts tracking changes into an empty tree (called while the range's writes are paused).</summary>
    internal void BeginTracking()
    {
        lock (_gate)
        {
            _tree = new MerkleTree(_leaves);
            _keys = 0;
            _tombstoneKeys = 0;
            _oldestTombstoneMs = long.MaxValue;
        }
    }

    /// <summary>Adds the scan's digests (XOR per leaf) and key count; the tree is ready after it.</summary>
    internal void CompleteBuild(ReadOnlySpan<ulong> leafDigests, long keys, long tombstoneKeys, long oldestTombstoneMs)
    {
        lock (_gate)
        {
            _tree!.ApplyLeafChanges(leafDigests);
            _keys += keys;
            _tombstoneKeys += tombstoneKeys;
            _oldestTombstoneMs = Math.Min(_oldestTombstoneMs, oldestTombstoneMs);
            _ready = true;
        }
    }

    /// <summary>Gives the slot back to "absent" after a failed build.</summary>
    internal void Abandon()
    {
        lock (_gate)
        {
            _tree = null;
            _ready = false;
            _keys = 0;
        }
    }

    internal void Update(ReadOnlySpan<byte> key, ulong? before, ulong? after, long? tombstonesBefore, long? tombstonesAfter)
    {
        lock (_gate)
        {
            if (_tree is null)
            {
                return;
            }

            _tree.Update(key, before, after);
            _keys += (after is null ? 0 : 1) - (before is null ? 0 : 1);
            _tombstoneKeys += (tombstonesAfter is null ? 0 : 1) - (tombstonesBefore is null ? 0 : 1);
            if (tombstonesAfter is { } newest)
            {
                _oldestTombstoneMs = Math.Min(_oldestTombstoneMs, newest);
                _tombstoneEpoch++;
            }
        }
    }

    /// <summary>Keys whose stored set is only tombstones.</summary>
    public long TombstoneKeys
    {
        get
        {
            lock (_gate)
            {
                return _tombstoneKeys;
            }
        }
    }

    /// <summary>False when no tombstone-only key of the range can be older than <paramref name="cutoffMs"/> (then a purge
    /// needs no scan). May be true when none is (a scan then narrows it).</summary>
    public bool MayHaveTombstonesBefore(long cutoffMs)
    {
        lock (_gate)
        {
            return _ready && _tombstoneKeys > 0 && _oldestTombstoneMs < cutoffMs;
        }
    }

    /// <summary>A counter of tombstone sets stored; pass it back to <see cref="NarrowOldestTombstone"/>.</summary>
    public long TombstoneEpoch
    {
        get
        {
            lock (_gate)
            {
                return _tombstoneEpoch;
            }
        }
    }

    /// <summary>After a scan that started at <paramref name="epoch"/> found that the oldest tombstone-only key it did not
    /// purge is <paramref name="oldestMs"/> (long.MaxValue: none): records it, unless tombstones were stored meanwhile
    /// (then it can only lower the bound).</summary>
    public void NarrowOldestTombstone(long oldestMs, long epoch)
    {
        lock (_gate)
        {
            _oldestTombstoneMs = _tombstoneEpoch == epoch ? oldestMs : Math.Min(_oldestTombstoneMs, oldestMs);
        }
    }

    /// <summary>The hashes of the given heap nodes (1 = root).</summary>
    public ulong[] Hashes(int[] nodes)
    {
        lock (_gate)
        {
            if (!_ready || _tree is null)
            {
                throw new InvalidOperationException("The range's tree is not built.");
            }

            foreach (var node in nodes)
            {
                if (node < 1 || node >= 2 * _leaves)
                {
                    throw new ArgumentOutOfRangeException(nameof(nodes), node, $"Heap nodes of a tree with {_leaves} leaves are 1..{(2 * _leaves) - 1}.");
                }
            }

            return _tree.Hashes(nodes);
        }
    }

    /// <summary>The leaf of a key in this tree.</summary>
    public int LeafOf(ReadOnlySpan<byte> key) => MerkleTree.LeafOf(key, _leaves);
}
