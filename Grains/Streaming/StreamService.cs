// The sending side of range streaming, and the questions other nodes ask about this node's transfers: one grain
// service per silo (addressed by silo, no grain directory, so a dead node fails only the calls sent to it). A
// receiver pulls a range in batches: each ReadBatch is one ordered engine scan of the range's keys after the
// receiver's cursor, cut at BatchBytes, so the receiver alone keeps the progress and a crash of the sender loses
// nothing but the batch in flight. The scans run off the grain-service scheduler (shared by every grain service
// of the silo).

using GrainKV.Grains.Replicas;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace GrainKV.Grains.Streaming;

/// <summary>A batch of a range's keys in engine order: user keys and their encoded version sets.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.RangeBatch")]
public sealed record RangeBatch([property: Id(0)] byte[][] Keys, [property: Id(1)] byte[][] Sets, [property: Id(2)] bool Last)
{
    /// <summary>Bytes of keys and sets carried.</summary>
    public long Bytes => Keys.Sum(k => (long)k.Length) + Sets.Sum(s => (long)s.Length);
}

/// <summary>A node's streaming endpoint.</summary>
[Alias("grainkv.IStreamService")]
public interface IStreamService : IGrainService
{
    /// <summary>The keys of <paramref name="range"/> after <paramref name="after"/> (from the start when null), in order,
    /// up to about <paramref name="maxBytes"/> (at least one key when any is left).</summary>
    [Alias("ReadBatch")]
    Task<RangeBatch> ReadBatch(int range, byte[]? after, int maxBytes, CancellationToken cancellationToken = default);

    /// <summary>The ranges among <paramref name="ranges"/> of which this node stores at least one key.</summary>
    [Alias("NonEmpty")]
    Task<int[]> NonEmpty(int[] ranges, CancellationToken cancellationToken = default);

    /// <summary>True if this node holds every range of <paramref name="ranges"/> completely (streamed, or owned since it joined).</summary>
    [Alias("Holds")]
    Task<bool> Holds(int[] ranges, CancellationToken cancellationToken = default);

    /// <summary>This node's transfers.</summary>
    [Alias("Transfers")]
    Task<TransferStatus> Transfers(CancellationToken cancellationToken = default);
}

/// <summary>This node's streaming endpoint.</summary>
[Reentrant]
public sealed class StreamService(
    GrainId id, Silo silo, ILoggerFactory loggerFactory, LocalStore store, StreamProgress progress, StreamingCounters counters, RangeReceiver receiver)
    : GrainService(id, silo, loggerFactory), IStreamService
{
    public Task<RangeBatch> ReadBatch(int range, byte[]? after, int maxBytes, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var from = after is null ? StorageKeys.RangeStart(range) : [.. StorageKeys.Encode(range, after), 0];
        var keys = new List<byte[]>();
        var sets = new List<byte[]>();
        long bytes = 0;
        var last = true;
        foreach (var (key, set) in store.Engine.Scan(from, StorageKeys.RangeEnd(range)))
        {
            if (keys.Count > 0 && bytes + key.Length + set.Length > maxBytes)
            {
                last = false;
                break;
            }

            keys.Add(StorageKeys.UserKey(key).ToArray());
            sets.Add(set);
            bytes += key.Length + set.Length;
        }

        counters.Sent(keys.Count, bytes);
        return new RangeBatch([.. keys], [.. sets], last);
    }, cancellationToken);

    public Task<int[]> NonEmpty(int[] ranges, CancellationToken cancellationToken) => Task.Run(
        () => ranges.Where(r => store.Engine.Scan(StorageKeys.RangeStart(r), StorageKeys.RangeEnd(r)).Any()).ToArray(), cancellationToken);

    public Task<bool> Holds(int[] ranges, CancellationToken cancellationToken) => Task.FromResult(ranges.All(progress.Holds));

    public Task<TransferStatus> Transfers(CancellationToken cancellationToken) => Task.FromResult(receiver.Status());
}

/// <summary>Reaches the <see cref="IStreamService"/> of a given silo.</summary>
public sealed class StreamServiceClient(IServiceProvider services) : GrainServiceClient<IStreamService>(services)
{
    /// <summary>The stream service on <paramref name="silo"/>.</summary>
    public IStreamService On(SiloAddress silo) => GetGrainService(silo);
}
