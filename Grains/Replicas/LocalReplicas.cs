// This node's replicas of every range, over the node's engine: reads a key's versions, creates a new
// version (when this node coordinates a write) and merges versions sent by coordinators. The replica
// grains of this node serve remote coordinators through it; a coordinator on this node calls it
// directly, which saves a grain call per request. Both paths share one set of per-key locks, so every
// read-merge-write of a key on this node is serialized, whoever asked for it.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replication;
using GrainKV.Replication;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Replicas;

/// <summary>The replicas held by this node.</summary>
public sealed class LocalReplicas
{
    private readonly LocalStore _store;
    private readonly GrainKvNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly StripedLock _locks = new();
    private long _reads;

    public LocalReplicas(LocalStore store, NodeIdentity node, IOptions<GrainKvNodeOptions> options, GrainKvClock clock)
    {
        _store = store;
        _options = options.Value;
        _time = clock.Time;
        NodeId = node.NodeId;
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>Key reads served so far (by coordinators on any node).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The versions stored for <paramref name="key"/> of <paramref name="range"/> (empty if none).</summary>
    public StoredVersion[] Read(int range, ReadOnlySpan<byte> key)
    {
        Interlocked.Increment(ref _reads);
        return Load(StorageKeys.Encode(range, key));
    }

    /// <summary>Creates a new version of the key on this node: its dot is this node's next counter for the key and
    /// its past is <paramref name="context"/>. A null <paramref name="value"/> is a tombstone.</summary>
    public async ValueTask<StoredVersion> CoordinateAsync(int range, byte[] key, byte[]? value, CausalContext context)
    {
        var clock = context.IsEmpty ? VectorClock.Empty : VectorClock.Decode(context.Bytes);
        var engineKey = StorageKeys.Encode(range, key);
        using (await _locks.AcquireAsync(engineKey))
        {
            var local = Load(engineKey);
            var created = VersionSet.Create(NodeId, value, clock, local, _time.GetUtcNow().ToUnixTimeMilliseconds(), _options.MaxClockEntries);
            await Store(engineKey, VersionSet.Merge([.. local, created]));
            return created;
        }
    }

    /// <summary>Merges <paramref name="versions"/> into the stored versions of the key; writes only if that changes them.</summary>
    public async ValueTask ApplyAsync(int range, byte[] key, StoredVersion[] versions)
    {
        var engineKey = StorageKeys.Encode(range, key);
        using (await _locks.AcquireAsync(engineKey))
        {
            var local = Load(engineKey);
            var merged = VersionSet.Merge([.. local, .. versions]);
            if (!VersionSet.SameSet(merged, local))
            {
                await Store(engineKey, merged);
            }
        }
    }

    private StoredVersion[] Load(byte[] engineKey) =>
        _store.Engine.TryGet(engineKey, out var bytes) ? SiblingCodec.Decode(bytes) : [];

    private ValueTask Store(byte[] engineKey, StoredVersion[] versions) =>
        _store.Engine.PutAsync(engineKey, SiblingCodec.Encode(versions));
}
