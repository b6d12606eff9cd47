// What the RESP commands read and write through: this silo's KeyRangeRequests, called directly (the requests
// start in this silo, so they need no grain call: the same checks, coordinators and metrics as an Orleans client's
// request to IKeyRangeGrain, without a message and a turn on a grain's scheduler). Reads and writes use the
// connection's consistency (GRAINKV.CONSISTENCY), by default the cluster's N, R, W and CAP mode. Expiry is judged on the expiry clock (ExpiryClock), the one the coordinators use.

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Partitioning;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Resp;

/// <summary>Key-value access for the RESP gateway.</summary>
public sealed class RespStore(KeyRangeRequests requests, IOptions<GrainKvNodeOptions> node, Expiry.ExpiryClock clock)
{
    /// <summary>The cluster's defaults, which a connection's consistency settings are checked against.</summary>
    public GrainKvNodeOptions Defaults { get; } = node.Value;

    /// <summary>Now, on the expiry clock (what TTL, PTTL and EXAT are measured against).</summary>
    public DateTimeOffset Now => clock.Time.GetUtcNow();

    /// <summary><see cref="Now"/> in Unix milliseconds (the unit expiries are stored in).</summary>
    public long NowMs => clock.NowMs;

    /// <summary>The node's entry limit (key + value bytes).</summary>
    public int MaxEntrySize { get; } = node.Value.MaxEntrySize;

    /// <summary>Reads <paramref name="key"/>.</summary>
    public Task<ReadResult> ReadAsync(byte[] key, ReadOptions options, CancellationToken cancellationToken) =>
        requests.GetAsync(RangeOf(key), key, options, cancellationToken);

    /// <summary>Writes <paramref name="value"/> superseding <paramref name="context"/> (its time to live is in <paramref name="options"/>).</summary>
    public Task WriteAsync(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        requests.PutAsync(RangeOf(key), key, value, context, options, cancellationToken);

    /// <summary>Writes <paramref name="value"/> over every version a read with <paramref name="read"/> finds, in one call to the coordinator.</summary>
    public Task OverwriteAsync(byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken) =>
        requests.OverwriteAsync(RangeOf(key), key, value, read, write, cancellationToken);

    /// <summary>Deletes what <paramref name="context"/> names.</summary>
    public Task DeleteAsync(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        requests.DeleteAsync(RangeOf(key), key, context, options, cancellationToken);

    /// <summary>Throws <see cref="InvalidKeyException"/> or <see cref="ValueTooLargeException"/> for an entry that cannot be stored.</summary>
    public void CheckEntry(byte[] key, byte[] value) => KeyLimits.CheckEntry(key, value.Length, MaxEntrySize);

    /// <summary>The one value GET answers for a read: with siblings, the greatest in unsigned byte order (so every
    /// node and every retry picks the same one, whatever order the replicas answered in); null when absent.</summary>
    public static byte[]? Pick(ReadResult read) => PickIndex(read) is var i and >= 0 ? read.Values[i] : null;

    /// <summary>The index in <see cref="ReadResult.Values"/> of the value <see cref="Pick"/> answers; -1 when absent.</summary>
    public static int PickIndex(ReadResult read)
    {
        var best = -1;
        for (var i = 0; i < read.Values.Count; i++)
        {
            if (best < 0 || read.Values[i].AsSpan().SequenceCompareTo(read.Values[best]) > 0)
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>When the value <see cref="Pick"/> answers expires: null if it never does or the key is absent.</summary>
    public static DateTimeOffset? PickExpiration(ReadResult read) => PickIndex(read) is var i and >= 0 ? read.ExpirationOf(i) : null;

    private int RangeOf(byte[] key)
    {
        KeyLimits.CheckKey(key);
        return KeyPartitioner.RangeOf(key, requests.RangeCount);
    }
}
