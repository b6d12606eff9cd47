// This node's replicas of every range, over the node's engine: reads a key's versions, creates a new
// version (when this node coordinates a write) and merges versions sent by coordinators. The replica
// grains of this node serve remote coordinators through it; a coordinator on this node calls it
// directly, which saves a grain call per request. Both paths share one set of per-key locks, so every
// read-merge-write of a key on this node is serialized, whoever asked for it.
//
// What a replica returns is durable: the engine makes a write visible in its memtable before the commit
// log has reached the disk (always with a Buffered log, briefly with a Synced one), so a read of a key
// whose durability mark (one of 64 per lock stripe) was written recently waits until the log covers that
// write. A version that a reader saw therefore survives a crash of this node.
//
// Every set this node stores has the values of its expired versions dropped (VersionSet.Reclaim, at this node's
// clock): the same writes in less space. Compaction does the same to sets no write touches (ExpiryCompaction).
//
// A write merges with the stored versions' headers first (their dots and clocks, from the VersionCache or an engine
// read that skips the values): when the merge keeps no stored version and no stored version shares a dot with a new
// one, which is the usual case, the values were not needed; otherwise it reads them and merges again.

using System.Buffers;
using System.IO.Hashing;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Expiry;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GrainKV.Grains.Replicas;
using GrainKV.Versioning;

namespace GrainKV.Grains.Replicas;

/// <summary>The replicas held by this node.</summary>
public sealed partial class LocalReplicas
{
    private const int Stripes = 1024;

    /// <summary>Stripe position while a write to the stripe is under way: readers then wait for the log's tail.</summary>
    private const long WriteInProgress = long.MaxValue;

    /// <summary>Durability marks per lock stripe (a power of two).</summary>
    private const int WrittenPerStripe = 64;

    private readonly LocalStore _store;
    private readonly NodeIncarnation _incarnation;
    private readonly GrainKvNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ExpiryClock _expiry;
    private readonly ILogger<LocalReplicas> _logger;
    private readonly RangeTrees _trees;
    private readonly StripedLock _locks = new(Stripes);
    private readonly RangeWriteGate _gates;
    private readonly VersionCache _cache;

    /// <summary>Marks per lock stripe (WrittenPerStripe each, chosen by other bits of the key's hash): the log position
    /// just past the last write of a key with that mark (0: none since start). A read waits for the log only when its
    /// own mark was written since the last commit, not any key of its stripe; the keys of one mark share one stripe,
    /// so their writes never overlap and the mark is always the latest one's.</summary>
    private readonly long[] _written = new long[Stripes * WrittenPerStripe];
    private long _reads;

    public LocalReplicas(
        LocalStore store, NodeIdentity node, NodeIncarnation incarnation, IOptions<GrainKvNodeOptions> options, GrainKvClock clock, ExpiryClock expiry,
        RangeTrees trees, GrainKvMetrics metrics, ILogger<LocalReplicas> logger)
    {
        _expiry = expiry;
        _trees = trees;
        _store = store;
        _incarnation = incarnation;
        _options = options.Value;
        _gates = new RangeWriteGate(_options.RangeCount);
        _cache = new VersionCache(_locks, _options.VersionCacheEntries);
        metrics.Meter.CreateObservableCounter("grainkv.replica.version_cache.hits", () => _cache.Hits,
            description: "Writes that merged with the version cache's entry for their key (no engine read)");
        metrics.Meter.CreateObservableCounter("grainkv.replica.version_cache.misses", () => _cache.Misses,
            description: "Writes whose key the version cache did not hold (the stored versions were read from the engine)");
        _time = clock.Time;
        _logger = logger;
        NodeId = node.NodeId;
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>Key reads served so far (by coordinators on any node).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The stored versions of recently written keys, without values, that writes merge with first.</summary>
    public VersionCache Cache => _cache;

    /// <summary>The versions stored for <paramref name="key"/> of <paramref name="range"/> (empty if none), once they are durable.</summary>
    public ValueTask<StoredVersion[]> ReadAsync(int range, byte[] key)
    {
        Interlocked.Increment(ref _reads);
        return ReadDurableAsync(range, key);
    }

    /// <summary>The headers of the versions stored for <paramref name="key"/> of <paramref name="range"/> (empty if none):
    /// as <see cref="VersionSetCodec.DecodeWithoutValues"/> reads them, from the version cache when it holds the key.
    /// Not held back until they are durable: no value is returned, and a version that a crash loses before its commit
    /// is at worst superseded by an overwrite that read it, or makes a read ask this replica again for its values (which
    /// wait): what an overwrite's context read and the replicas of a read that answer no values ask for.</summary>
    public async ValueTask<StoredVersion[]> ReadHeadersAsync(int range, byte[] key)
    {
        Interlocked.Increment(ref _reads);
        var engineKey = StorageKeys.Encode(range, key);
        var hash = XxHash3.HashToUInt64(engineKey);
        using (await _locks.AcquireAsync(hash))
        {
            return LoadHeaders(engineKey, hash);
        }
    }

    /// <summary>Like <see cref="ReadAsync"/> for anti-entropy: not counted in <see cref="Reads"/>.</summary>
    public async ValueTask<StoredVersion[]> ReadDurableAsync(int range, byte[] key)
    {
        var engineKey = StorageKeys.Encode(range, key);
        var versions = Load(engineKey);

        // Read after the load: a write this load saw has set its mark by then.
        var written = Volatile.Read(ref _written[MarkOf(XxHash3.HashToUInt64(engineKey))]);
        if (written != 0)
        {
            var engine = _store.Engine;
            await engine.WaitForLogAsync(written == WriteInProgress ? engine.LogPosition : written);
        }

        return versions;
    }

    /// <summary>Creates a new version of the key on this node and returns the key's whole version set after it:
    /// the new version's dot is this incarnation's next counter and its past is <paramref name="context"/>.
    /// A null <paramref name="value"/> is a tombstone. The set, not the version alone, is what the other replicas
    /// must receive: a replica holding a dot of this node then holds every earlier dot of it for the key, or
    /// something that covers it, so a context read from any replica never covers a version its reader missed.
    /// With <paramref name="timeToLive"/>, the version expires that long after this node's expiry clock's now.
    /// With <paramref name="overwrite"/>, the new version's past also covers every version this node holds for the key
    /// (an overwrite whose read quorum is this replica alone, done under the key's lock instead of a read and a write).</summary>
    /// <exception cref="ContextMismatchException">The context was read from another key.</exception>
    public async ValueTask<StoredVersion[]> CoordinateAsync(
        int range, byte[] key, byte[]? value, CausalContext context, TimeSpan? timeToLive = null, bool overwrite = false)
    {
        if (timeToLive is { } ttl)
        {
            KeyLimits.CheckTimeToLive(ttl);
            if (value is null)
            {
                throw new InvalidRequestException("A delete takes no time to live; nothing was deleted.");
            }
        }

        var clock = context.ClockFor(key);
        var engineKey = StorageKeys.Encode(range, key);
        var hash = XxHash3.HashToUInt64(engineKey);
        using (await _locks.AcquireAsync(hash))
        {
            // The new version is made from the stored versions' headers (its past and counter need no value). An
            // overwrite supersedes all of them: its past is their context, and truncation to MaxClockEntries keeps the
            // entries that supersede them.
            var local = LoadHeaders(engineKey, hash);
            if (overwrite && local.Length > 0)
            {
                clock = VectorClock.Merge(clock, VersionSet.Context(local));
            }

            var actor = _incarnation.ActorId;
            var counter = _incarnation.NextCounter(VersionSet.HighestCounter(actor, clock, local));
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var expiryNow = _expiry.NowMs;
            var expiresAt = timeToLive is { } lifetime ? expiryNow + (long)Math.Ceiling(lifetime.TotalMilliseconds) : 0;
            var created = VersionSet.Create(actor, counter, value, clock, local, now, _options.MaxClockEntries, expiresAt);
            var merged = VersionSet.Reclaim(VersionSet.Merge([.. local, created]), expiryNow);
            if (!VersionSet.HeadersSuffice(local, [created], merged))
            {
                local = Load(engineKey);
                merged = VersionSet.Reclaim(VersionSet.Merge([.. local, created]), expiryNow);
            }

            await Store(range, engineKey, hash, local, merged);
            return merged;
        }
    }

    /// <summary>Merges <paramref name="versions"/> into the stored versions of the key; writes only if that changes them.
    /// Returns true if every version this node then holds is one of <paramref name="versions"/> or supersedes one of them:
    /// it held none they do not cover, at most later writes made over them.</summary>
    public async ValueTask<bool> ApplyAsync(int range, byte[] key, StoredVersion[] versions) => (await MergeCoreAsync(range, key, versions)).Covered;

    /// <summary>Like <see cref="ApplyAsync"/>; returns true if this node held no version of the key before.</summary>
    public async ValueTask<bool> MergeAsync(int range, byte[] key, StoredVersion[] versions) => (await MergeCoreAsync(range, key, versions)).HeldNone;

    private async ValueTask<(bool HeldNone, bool Covered)> MergeCoreAsync(int range, byte[] key, StoredVersion[] versions)
    {
        var engineKey = StorageKeys.Encode(range, key);
        var hash = XxHash3.HashToUInt64(engineKey);
        using (await _locks.AcquireAsync(hash))
        {
            var local = LoadHeaders(engineKey, hash);
            var merged = VersionSet.Reclaim(VersionSet.Merge([.. local, .. versions], out var dotConflict), _expiry.NowMs);
            if (!VersionSet.HeadersSuffice(local, versions, merged))
            {
                local = Load(engineKey);
                merged = VersionSet.Reclaim(VersionSet.Merge([.. local, .. versions], out dotConflict), _expiry.NowMs);
            }

            if (dotConflict)
            {
                LogDotConflict(range);
            }

            if (!VersionSet.SameSet(merged, local))
            {
                await Store(range, engineKey, hash, local, merged);
            }

            return (local.Length == 0 && merged.Length > 0, AtOrPast(merged, versions));
        }
    }

    /// <summary>Whether each of <paramref name="held"/> is one of <paramref name="versions"/> or supersedes one of them.</summary>
    private static bool AtOrPast(StoredVersion[] held, StoredVersion[] versions)
    {
        foreach (var version in held)
        {
            var found = false;
            foreach (var applied in versions)
            {
                if (version.SameHeader(applied) || applied.IsObsoletedBy(version))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Deletes every key of <paramref name="range"/> from this node (it no longer owns the range, and its new
    /// owners hold it). Returns the number of keys deleted.</summary>
    public async ValueTask<int> DropRangeAsync(int range, CancellationToken cancellationToken)
    {
        var dropped = 0;
        var keys = _store.Engine.Scan(StorageKeys.RangeStart(range), StorageKeys.RangeEnd(range)).Select(e => e.Key).ToList();
        foreach (var engineKey in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var hash = XxHash3.HashToUInt64(engineKey);
            using (await _locks.AcquireAsync(hash))
            {
                var local = Load(engineKey);
                if (local.Length > 0)
                {
                    await Store(range, engineKey, hash, local, []);
                    dropped++;
                }
            }
        }

        return dropped;
    }

    /// <summary>Anti-entropy's tombstone purge: removes the key if its stored set is still exactly the dead set (tombstones
    /// and expiring versions only, VersionSet.DeadSinceMs) whose digest is <paramref name="digest"/> (MerkleTree.Digest);
    /// an engine delete replaces the set, and compaction drops that delete from disk later. Returns false, changing
    /// nothing, if the set is anything else or has not expired yet at this node's clock.</summary>
    public async ValueTask<bool> PurgeAsync(int range, byte[] key, ulong digest)
    {
        var engineKey = StorageKeys.Encode(range, key);
        var hash = XxHash3.HashToUInt64(engineKey);
        using (await _locks.AcquireAsync(hash))
        {
            var local = Load(engineKey);
            if (VersionSet.DeadSinceMs(local) is not { } deadSince || deadSince > _expiry.NowMs
                || MerkleTree.Digest(key, local) != digest)
            {
                return false;
            }

            await Store(range, engineKey, hash, local, []);
            return true;
        }
    }

    private StoredVersion[]? TryLoad(byte[] engineKey)
    {
        try
        {
            return Load(engineKey);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private StoredVersion[] Load(byte[] engineKey) =>
        _store.Engine.TryRead(engineKey, VersionSetCodec.Decode, out var versions) ? versions : [];

    /// <summary>Under the key's lock: the stored versions without their values (VersionSetCodec.DecodeWithoutValues),
    /// from the cache if it holds the key.</summary>
    private StoredVersion[] LoadHeaders(byte[] engineKey, ulong hash) =>
        _cache.TryGet(hash, engineKey, out var cached) ? cached
        : _store.Engine.TryRead(engineKey, VersionSetCodec.DecodeWithoutValues, out var versions) ? versions : [];

    /// <summary>Stops the stores of <paramref name="range"/> (and only its) until the result is disposed, once those
    /// under way are done. Anti-entropy takes a range's snapshot under it, so that each write is either in the
    /// snapshot or reported to the range's tree.</summary>
    public ValueTask<IDisposable> PauseWritesAsync(int range) => _gates.CloseAsync(range);

    /// <summary>The durability mark of a key (XxHash3 <paramref name="hash"/>): within its lock stripe, chosen by high bits of the hash.</summary>
    private int MarkOf(ulong hash) => (_locks.StripeOf(hash) * WrittenPerStripe) + (int)((hash >> 48) & (WrittenPerStripe - 1));

    /// <summary>Under the key's lock (XxHash3 <paramref name="hash"/>) and through the range's gate: writes the set (an
    /// empty one deletes the key), records the log position readers of the key's mark wait for, keeps the cache's entry
    /// for the key exact, and tells the range's Merkle tree (if it exists) what changed. <paramref name="before"/> may
    /// be the headers of the stored versions (the trees' digests hold no values).</summary>
    private async ValueTask Store(int range, byte[] engineKey, ulong hash, StoredVersion[] before, StoredVersion[] versions)
    {
        var engine = _store.Engine;
        var mark = MarkOf(hash);
        using var passage = await _gates.EnterAsync(range);
        Interlocked.Exchange(ref _written[mark], WriteInProgress);
        var cached = false;
        byte[]? encoded = null;
        try
        {
            if (versions.Length == 0)
            {
                await engine.DeleteAsync(engineKey);
            }
            else
            {
                // The engine copies the value into its log and memtable, so the encoding can go back to the pool once the
                // write returns (it was ~1 KiB of garbage per write of a 1 KiB value).
                var size = VersionSetCodec.EncodedSize(versions);
                encoded = ArrayPool<byte>.Shared.Rent(size);
                await engine.PutAsync(engineKey, encoded.AsMemory(0, VersionSetCodec.Encode(versions, encoded, size)));
            }

            _cache.Set(hash, engineKey, versions);
            cached = true;
        }
        catch (Exception) when (TryLoad(engineKey) is { } actual)
        {
            // The write may or may not have reached the engine: the tree follows what the engine holds.
            _trees.Changed(range, StorageKeys.UserKey(engineKey), before, actual);
            throw;
        }
        finally
        {
            if (!cached)
            {
                // What the engine holds is not known: the cache's entry (the versions before) must not be read.
                _cache.Forget(hash, engineKey);
            }

            if (encoded is not null)
            {
                ArrayPool<byte>.Shared.Return(encoded);
            }

            Interlocked.Exchange(ref _written[mark], engine.LogPosition);
        }

        _trees.Changed(range, StorageKeys.UserKey(engineKey), before, versions);
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Two different versions with one dot met in range {Range}; both are kept as siblings")]
    private partial void LogDotConflict(int range);
}
