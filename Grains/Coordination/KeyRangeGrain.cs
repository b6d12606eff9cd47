// The coordinator of one key range: checks each request and sends it to the range's replica.

using GrainKV.Grains.Hosting;
using GrainKV.Partitioning;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace GrainKV.Grains.Coordination;

/// <summary>Client-facing grain of one key range.</summary>
[Reentrant]
public sealed class KeyRangeGrain : Grain, IKeyRangeGrain
{
    private readonly NodeIdentity _node;
    private readonly GrainKvNodeOptions _options;

    public KeyRangeGrain(NodeIdentity node, IOptions<GrainKvNodeOptions> options)
    {
        _node = node;
        _options = options.Value;
    }

    private int Range => (int)this.GetPrimaryKeyLong();

    public async Task<ReadResult> Get(byte[] key, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        var value = await Replica().Read(key, cancellationToken);
        return value is null ? ReadResult.NotFound : new ReadResult([value]);
    }

    public Task Put(byte[] key, byte[] value, CancellationToken cancellationToken)
    {
        KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
        CheckOwnership(key);
        return Replica().Write(key, value, cancellationToken);
    }

    public Task Delete(byte[] key, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        return Replica().Write(key, null, cancellationToken);
    }

    private IReplicaGrain Replica() => GrainFactory.GetGrain<IReplicaGrain>(ReplicaKey.Format(_node.NodeId, Range));

    private void CheckOwnership(byte[] key)
    {
        KeyLimits.CheckKey(key);
        var owner = KeyPartitioner.RangeOf(key, _options.RangeCount);
        if (owner != Range)
        {
            throw new WrongRangeException(
                $"Key belongs to range {owner} of {_options.RangeCount}, not to range {Range}; is the client configured with the cluster's range count?");
        }
    }
}
