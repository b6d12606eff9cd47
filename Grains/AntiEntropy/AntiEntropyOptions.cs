// Options of anti-entropy, bound from the "GrainKV:AntiEntropy" configuration section (a part of
// GrainKvNodeOptions, so their data annotations are checked with them at start-up).

using System.ComponentModel.DataAnnotations;
using GrainKV.Validation;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>How often ranges are exchanged, how much an exchange may cost, and when tombstones may go.</summary>
public sealed class AntiEntropyOptions
{
    /// <summary>Register a reminder per range that exchanges it every <see cref="ExchangePeriod"/>. When false, ranges
    /// are exchanged only when asked (<c>IAntiEntropyGrain.ExchangeNow</c>).</summary>
    public bool AutomaticExchanges { get; set; } = true;

    /// <summary>How often each range is exchanged. A range's first exchange is due one period plus its share of a
    /// period (range / Q) after its reminder is registered, so the ranges' exchanges are spread over the period.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ExchangePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Leaves of each range's Merkle tree (a power of two).</summary>
    [Range(2, 1 << 16)]
    [PowerOfTwo]
    public int Leaves { get; set; } = 1024;

    /// <summary>Exchanges one node runs at once at most (a reminder tick past it waits for a slot).</summary>
    [Range(1, 64)]
    public int MaxConcurrentExchanges { get; set; } = 2;

    /// <summary>Bytes per second one node's exchanges move at most (hashes, key listings and version sets together).</summary>
    [Range(typeof(long), "65536", "9223372036854775807")]
    public long MaxBytesPerSecond { get; set; } = 8L * 1024 * 1024;

    /// <summary>A tombstone is purged only when it is older than this and an exchange confirmed every replica holds it.
    /// Also the age past which a hint's versions are no longer delivered (anti-entropy repairs the replica instead),
    /// so no hint can bring back a version whose tombstone is gone.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan TombstoneGracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Start a node that was away longer than <see cref="TombstoneGracePeriod"/> on its old data anyway (deleted
    /// keys it holds may come back). By default such a node refuses to start (see AbsenceGuard).</summary>
    public bool AcceptStaleData { get; set; }
}
