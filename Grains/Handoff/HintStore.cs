// Durable hints: the version set of a key that a replica missed (its copy failed, timed out, or was not
// sent because too many were in flight), kept in this node's engine until it is delivered. Hints live in a
// key space of their own, after every range's keys, so range scans never meet them:
//
//   engine key:  [FF FF FF FF][node id length: 1 byte][node id UTF-8][range: 4 bytes big-endian][user key]
//   value:       the version set (VersionSetCodec), merged with any hint already stored for the same key
//
// Hinted versions older than the tombstone grace period (GrainKV:AntiEntropy:TombstoneGracePeriod) are neither
// delivered nor read: a tombstone that deleted one may have been purged by then, and the version would come back.
// Anti-entropy repairs the replica they were meant for instead.
//
// Ranges are below 2^20, so the FF FF FF FF prefix cannot collide with a range's keys. The store holds at
// most MaxHints hints; past that a copy is counted as dropped (metric and log) and only anti-entropy can
// repair it.

using System.Buffers.Binary;
using System.Text;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GrainKV.Grains.Replicas;
using GrainKV.Versioning;

namespace GrainKV.Grains.Handoff;

/// <summary>One stored hint.</summary>
public sealed record Hint(string Node, int Range, byte[] Key, StoredVersion[] Versions, byte[] EngineKey);

/// <summary>The hints this node keeps for other nodes.</summary>
public sealed partial class HintStore
{
    private static readonly byte[] Prefix = [0xFF, 0xFF, 0xFF, 0xFF];
    private readonly LocalStore _store;
    private readonly GrainKvNodeOptions _options;
    private readonly GrainKvMetrics _metrics;
    private readonly ILogger<HintStore> _logger;
    private readonly TimeProvider _time;
    private readonly StripedLock _locks = new(256);
    private readonly Lock _counting = new();
    private long _count = -1;   // -1 until the hints left by the previous run are counted

    public HintStore(LocalStore store, IOptions<GrainKvNodeOptions> options, GrainKvMetrics metrics, GrainKvClock clock, ILogger<HintStore> logger)
    {
        _time = clock.Time;
        _store = store;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("grainkv.hints.pending", () => Math.Max(0, Interlocked.Read(ref _count)), description: "Hints waiting for delivery");
    }

    /// <summary>Hints stored now.</summary>
    public long Count => EnsureCounted();

    /// <summary>Keeps <paramref name="versions"/> of <paramref name="key"/> for <paramref name="node"/>. Never throws:
    /// a hint that cannot be kept is counted as dropped and logged.</summary>
    public Task AddAsync(string node, int range, byte[] key, StoredVersion[] versions) => TryAddAsync(node, range, key, versions);

    /// <summary>Keeps a hint that stands in for a replica's copy (sloppy quorum); throws
    /// <see cref="ReplicaUnavailableException"/> if it could not be kept, so it is not counted as an acknowledgement.</summary>
    public async Task KeepAsync(string node, int range, byte[] key, StoredVersion[] versions)
    {
        if (!await TryAddAsync(node, range, key, versions))
        {
            throw new ReplicaUnavailableException(node, $"this node could not keep a hint for node '{node}'");
        }
    }

    /// <summary>The versions of <paramref name="key"/> kept here as hints for any of <paramref name="owners"/>, merged.</summary>
    public StoredVersion[] Read(string[] owners, int range, byte[] key)
    {
        var engine = _store.Engine;
        var found = new List<StoredVersion>();
        foreach (var owner in owners)
        {
            if (engine.TryGet(Encode(owner, range, key), out var bytes))
            {
                found.AddRange(VersionSetCodec.Decode(bytes));
            }
        }

        return found.Count == 0 ? [] : Fresh(VersionSet.Merge(found));
    }

    /// <summary>The versions of a hint that are younger than the tombstone grace period (the ones that may be delivered).</summary>
    public StoredVersion[] Fresh(StoredVersion[] versions)
    {
        var cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.AntiEntropy.TombstoneGracePeriod.TotalMilliseconds;
        return versions.All(v => v.TimestampMs >= cutoff) ? versions : versions.Where(v => v.TimestampMs >= cutoff).ToArray();
    }

    private async Task<bool> TryAddAsync(string node, int range, byte[] key, StoredVersion[] versions)
    {
        try
        {
            var engineKey = Encode(node, range, key);
            using (await _locks.AcquireAsync(engineKey))
            {
                var engine = _store.Engine;
                var existing = engine.TryRead(engineKey, VersionSetCodec.Decode, out var stored) ? stored : null;
                var count = EnsureCounted();
                if (existing is null && count >= _options.MaxHints)
                {
                    _metrics.HintsDropped.Add(1);
                    LogFull(node, range, _options.MaxHints);
                    return false;
                }

                var merged = existing is null ? VersionSet.Merge(versions) : VersionSet.Merge([.. existing, .. versions]);
                await engine.PutAsync(engineKey, VersionSetCodec.Encode(merged));
                if (existing is null)
                {
                    Interlocked.Increment(ref _count);
                }

                _metrics.HintsStored.Add(1);
                return true;
            }
        }
        catch (Exception ex)
        {
            _metrics.HintsDropped.Add(1);
            LogNotStored(ex, node, range);
            return false;
        }
    }

    /// <summary>Up to <paramref name="limit"/> hints, in key order (node by node).</summary>
    public List<Hint> Take(int limit)
    {
        var hints = new List<Hint>();
        foreach (var (engineKey, value) in _store.Engine.Scan(Prefix, ReadOnlyMemory<byte>.Empty))
        {
            if (hints.Count >= limit)
            {
                break;
            }

            var (node, range, key) = Decode(engineKey);
            hints.Add(new Hint(node, range, key, VersionSetCodec.Decode(value), engineKey));
        }

        return hints;
    }

    /// <summary>Deletes a delivered hint, unless it gained versions since it was read (then it stays for the next round).</summary>
    public async Task<bool> RemoveAsync(Hint hint)
    {
        using (await _locks.AcquireAsync(hint.EngineKey))
        {
            var engine = _store.Engine;
            if (!engine.TryGet(hint.EngineKey, out var bytes))
            {
                return false;
            }

            if (!VersionSet.SameSet(VersionSetCodec.Decode(bytes), hint.Versions))
            {
                return false;
            }

            EnsureCounted();
            await engine.DeleteAsync(hint.EngineKey);
            Interlocked.Decrement(ref _count);
            return true;
        }
    }

    /// <summary>The number of hints, counted by a scan once per start, before the first change: every add and remove
    /// calls this before it writes to the engine, so the scan never races a change and no change is counted twice.</summary>
    private long EnsureCounted()
    {
        var count = Interlocked.Read(ref _count);
        if (count >= 0)
        {
            return count;
        }

        lock (_counting)
        {
            if (Interlocked.Read(ref _count) < 0)
            {
                Interlocked.Exchange(ref _count, _store.Engine.Scan(Prefix, ReadOnlyMemory<byte>.Empty).LongCount());
            }

            return Interlocked.Read(ref _count);
        }
    }

    private static byte[] Encode(string node, int range, byte[] key)
    {
        var nodeBytes = Encoding.UTF8.GetBytes(node);
        if (nodeBytes.Length > byte.MaxValue)
        {
            throw new ArgumentException($"Node id '{node}' is too long for a hint.", nameof(node));
        }

        var result = new byte[Prefix.Length + 1 + nodeBytes.Length + 4 + key.Length];
        Prefix.CopyTo(result, 0);
        result[Prefix.Length] = (byte)nodeBytes.Length;
        nodeBytes.CopyTo(result, Prefix.Length + 1);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(Prefix.Length + 1 + nodeBytes.Length), (uint)range);
        key.CopyTo(result, Prefix.Length + 1 + nodeBytes.Length + 4);
        return result;
    }

    private static (string Node, int Range, byte[] Key) Decode(byte[] engineKey)
    {
        var nodeLength = engineKey[Prefix.Length];
        var node = Encoding.UTF8.GetString(engineKey, Prefix.Length + 1, nodeLength);
        var at = Prefix.Length + 1 + nodeLength;
        var range = (int)BinaryPrimitives.ReadUInt32BigEndian(engineKey.AsSpan(at));
        return (node, range, engineKey[(at + 4)..]);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Hint store is full ({MaxHints} hints): a copy for node {NodeId} in range {Range} was dropped; anti-entropy must repair it")]
    private partial void LogFull(string nodeId, int range, int maxHints);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "A hint for node {NodeId} in range {Range} could not be stored; anti-entropy must repair it")]
    private partial void LogNotStored(Exception exception, string nodeId, int range);
}
