// The client-facing grain of one key range: checks that a request belongs here (the key's range, the key and
// value limits, a context read from this key) and hands it to the read or write coordinator.
//
// It is a stateless worker, so it runs on the node that received the request (for a client, its gateway) and
// no request is forwarded to another node first. Its grain directory (LocalEntryDirectory) holds nothing, so
// placing it never asks another silo. The coordination itself (quorums, creators, copies, repairs) lives in
// ReadCoordinator and WriteCoordinator, plain classes tested without a cluster. Every request is recorded on the
// node's request metrics (count, outcome, latency), bad input included.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Metrics;
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
public sealed class KeyRangeGrain(IOptions<GrainKvNodeOptions> options, ReadCoordinator reads, WriteCoordinator writes, RequestMetrics metrics)
    : Grain, IKeyRangeGrain
{
    private readonly GrainKvNodeOptions _options = options.Value;

    private int Range => (int)this.GetPrimaryKeyLong();

    public async Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken)
    {
        var started = metrics.Start();
        try
        {
            CheckOwnership(key);
            var result = await reads.ReadAsync(Range, key, options, cancellationToken);
            metrics.Succeeded(RequestOperation.Get, started, result.Found);
            return result;
        }
        catch (Exception ex)
        {
            metrics.Failed(RequestOperation.Get, started, ex);
            throw;
        }
    }

    public Task Put(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        WriteAsync(RequestOperation.Put, key, value, context, options, cancellationToken);

    public async Task Overwrite(byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken)
    {
        var current = await Get(key, read, cancellationToken);
        await WriteAsync(RequestOperation.Put, key, value, current.Context, write, cancellationToken);
    }

    public Task Delete(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        WriteAsync(RequestOperation.Delete, key, null, context, options, cancellationToken);

    private async Task WriteAsync(
        RequestOperation operation, byte[] key, byte[]? value, CausalContext context, WriteOptions options, CancellationToken cancellationToken)
    {
        var started = metrics.Start();
        try
        {
            if (value is not null)
            {
                KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
                if (options.TimeToLive is { } ttl)
                {
                    KeyLimits.CheckTimeToLive(ttl);
                }
            }
            else if (options.TimeToLive is not null)
            {
                throw new InvalidRequestException("A delete takes no time to live; nothing was deleted.");
            }

            CheckOwnership(key);
            context.ClockFor(key);
            await writes.WriteAsync(Range, key, value, context, options, cancellationToken);
            metrics.Succeeded(operation, started);
        }
        catch (Exception ex)
        {
            metrics.Failed(operation, started, ex);
            throw;
        }
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
