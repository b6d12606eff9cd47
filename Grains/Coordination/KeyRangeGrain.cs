// The client-facing grain of one key range: checks that a request belongs here (the key's range, the key and
// value limits, a context read from this key) and hands it to the read or write coordinator.
//
// It is a stateless worker, so it runs on the node that received the request (for a client, its gateway) and
// no request is forwarded to another node first. Its grain directory (LocalEntryDirectory) holds nothing, so
// placing it never asks another silo. The coordination itself (quorums, creators, copies, repairs) lives in
// ReadCoordinator and WriteCoordinator, plain classes tested without a cluster.

using GrainKV.Grains.Hosting;
using GrainKV.Partitioning;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Client-facing grain of one key range.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
[Reentrant]
public sealed class KeyRangeGrain(IOptions<GrainKvNodeOptions> options, ReadCoordinator reads, WriteCoordinator writes) : Grain, IKeyRangeGrain
{
    private readonly GrainKvNodeOptions _options = options.Value;

    private int Range => (int)this.GetPrimaryKeyLong();

    public async Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        return await reads.ReadAsync(Range, key, options, cancellationToken);
    }

    public Task Put(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken)
    {
        KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
        if (options.TimeToLive is { } ttl)
        {
            KeyLimits.CheckTimeToLive(ttl);
        }

        return WriteAsync(key, value, context, options, cancellationToken);
    }

    public Task Delete(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        options.TimeToLive is null
            ? WriteAsync(key, null, context, options, cancellationToken)
            : throw new InvalidRequestException("A delete takes no time to live; nothing was deleted.");

    private async Task WriteAsync(byte[] key, byte[]? value, CausalContext context, WriteOptions options, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        context.ClockFor(key);
        await writes.WriteAsync(Range, key, value, context, options, cancellationToken);
    }

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
