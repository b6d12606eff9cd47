// A range's replica on one node: keeps the version set of each of its keys in the node's engine and
// merges incoming versions into it, one key at a time. It lives only on its own node's silo.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Placement;
using GrainKV.Grains.Replication;
using GrainKV.Replication;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace GrainKV.Grains.Replicas;

/// <summary>Replica of one key range on one node.</summary>
[Reentrant]
[ReplicaPlacement]
public sealed class ReplicaGrain : Grain, IReplicaGrain
{
    private readonly LocalStore _store;
    private readonly NodeIdentity _node;
    private readonly GrainKvNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly KeyedLock _locks = new();
    private readonly string _nodeId;
    private readonly int _range;

    public ReplicaGrain(LocalStore store, NodeIdentity node, IOptions<GrainKvNodeOptions> options, GrainKvClock clock, IGrainContext context)
    {
        _store = store;
        _node = node;
        _options = options.Value;
        _time = clock.Time;
        (_nodeId, _range) = ReplicaKey.Parse(context.GrainId.Key.ToString()!);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        _nodeId == _node.NodeId
            ? Task.CompletedTask
            : throw new ReplicaUnavailableException(_nodeId, $"Replica of node '{_nodeId}' cannot run on node '{_node.NodeId}'.");

    public Task<StoredVersion[]> Read(byte[] key, CancellationToken cancellationToken) =>
        Task.FromResult(Load(StorageKeys.Encode(_range, key)));

    public async Task<StoredVersion> Coordinate(byte[] key, byte[]? value, CausalContext context, CancellationToken cancellationToken)
    {
        var clock = context.IsEmpty ? VectorClock.Empty : VectorClock.Decode(context.Bytes);
        var engineKey = StorageKeys.Encode(_range, key);
        using (await _locks.AcquireAsync(engineKey))
        {
            var local = Load(engineKey);
            var created = VersionSet.Create(_nodeId, value, clock, local, _time.GetUtcNow().ToUnixTimeMilliseconds(), _options.MaxClockEntries);
            await Store(engineKey, VersionSet.Merge(local.Append(created)));
            return created;
        }
    }

    public async Task Apply(byte[] key, StoredVersion[] versions, CancellationToken cancellationToken)
    {
        var engineKey = StorageKeys.Encode(_range, key);
        using (await _locks.AcquireAsync(engineKey))
        {
            var local = Load(engineKey);
            var merged = VersionSet.Merge(local.Concat(versions));
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
