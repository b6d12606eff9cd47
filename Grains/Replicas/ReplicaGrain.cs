// A range's replica on one node: reads and writes the node's storage engine for the keys of its range.

using GrainKV.Grains.Hosting;
using Orleans.Concurrency;

namespace GrainKV.Grains.Replicas;

/// <summary>Replica of one key range on one node.</summary>
[Reentrant]
public sealed class ReplicaGrain : Grain, IReplicaGrain
{
    private readonly LocalStore _store;
    private readonly int _range;

    public ReplicaGrain(LocalStore store, IGrainContext context)
    {
        _store = store;
        (_, _range) = ReplicaKey.Parse(context.GrainId.Key.ToString()!);
    }

    public Task<byte[]?> Read(byte[] key, CancellationToken cancellationToken)
    {
        var found = _store.Engine.TryGet(StorageKeys.Encode(_range, key), out var value);
        return Task.FromResult(found ? value : null);
    }

    public async Task Write(byte[] key, byte[]? value, CancellationToken cancellationToken)
    {
        var engineKey = StorageKeys.Encode(_range, key);
        if (value is null)
        {
            await _store.Engine.DeleteAsync(engineKey, cancellationToken);
        }
        else
        {
            await _store.Engine.PutAsync(engineKey, value, cancellationToken);
        }
    }
}
