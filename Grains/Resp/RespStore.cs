// What the RESP commands read and write through: the local key-range coordinator of each key's range,
// reached through this silo's own grain factory (IKeyRangeGrain is a stateless worker, so the call runs on
// this silo). Reads and writes use the cluster's default N, R, W and CAP mode.

using GrainKV.Grains.Hosting;
using GrainKV.Partitioning;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Resp;

/// <summary>Key-value access for the RESP gateway.</summary>
public sealed class RespStore(IGrainFactory grains, IOptions<GrainKvNodeOptions> node)
{
    private readonly int _rangeCount = node.Value.RangeCount;

    /// <summary>The node's entry limit (key + value bytes).</summary>
    public int MaxEntrySize { get; } = node.Value.MaxEntrySize;

    /// <summary>Reads <paramref name="key"/> at the cluster's read quorum.</summary>
    public Task<ReadResult> ReadAsync(byte[] key, CancellationToken cancellationToken) =>
        Coordinator(key).Get(key, ReadOptions.Default, cancellationToken);

    /// <summary>Writes <paramref name="value"/> superseding <paramref name="context"/>, at the cluster's write quorum.</summary>
    public Task WriteAsync(byte[] key, byte[] value, CausalContext context, CancellationToken cancellationToken) =>
        Coordinator(key).Put(key, value, context, WriteOptions.Default, cancellationToken);

    /// <summary>Deletes what <paramref name="context"/> names.</summary>
    public Task DeleteAsync(byte[] key, CausalContext context, CancellationToken cancellationToken) =>
        Coordinator(key).Delete(key, context, WriteOptions.Default, cancellationToken);

    /// <summary>Throws <see cref="InvalidKeyException"/> or <see cref="ValueTooLargeException"/> for an entry that cannot be stored.</summary>
    public void CheckEntry(byte[] key, byte[] value) => KeyLimits.CheckEntry(key, value.Length, MaxEntrySize);

    /// <summary>The one value GET answers for a read: with siblings, the greatest in unsigned byte order (so every
    /// node and every retry picks the same one, whatever order the replicas answered in); null when absent.</summary>
    public static byte[]? Pick(ReadResult read)
    {
        byte[]? best = null;
        foreach (var value in read.Values)
        {
            if (best is null || value.AsSpan().SequenceCompareTo(best) > 0)
            {
                best = value;
            }
        }

        return best;
    }

    private IKeyRangeGrain Coordinator(byte[] key)
    {
        KeyLimits.CheckKey(key);
        return grains.GetGrain<IKeyRangeGrain>(KeyPartitioner.RangeOf(key, _rangeCount));
    }
}
