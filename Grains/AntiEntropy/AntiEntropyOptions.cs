// Options of anti-entropy, bound from the "GrainKV:AntiEntropy" configuration section (a part of
// GrainKvNodeOptions, so they are validated with them at start-up).

namespace GrainKV.Grains.AntiEntropy;

/// <summary>How often ranges are exchanged, how much an exchange may cost, and when tombstones may go.</summary>
public sealed class AntiEntropyOptions
{
    /// <summary>Register a reminder per range that exchanges it every <see cref="ExchangePeriod"/>. When false, ranges
    /// are exchanged only when asked (<c>IAntiEntropyGrain.ExchangeNow</c>).</summary>
    public bool AutomaticExchanges { get; set; } = true;

    /// <summary>How often each range is exchanged. A range's first exchange is due one period plus its share of a
    /// period (range / Q) after its reminder is registered, so the ranges' exchanges are spread over the period.</summary>
    public TimeSpan ExchangePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Leaves of each range's Merkle tree (a power of two).</summary>
    public int Leaves { get; set; } = 1024;

    /// <summary>Exchanges one node runs at once at most (a reminder tick past it waits for a slot).</summary>
    public int MaxConcurrentExchanges { get; set; } = 2;

    /// <summary>Bytes per second one node's exchanges move at most (hashes, key listings and version sets together).</summary>
    public long MaxBytesPerSecond { get; set; } = 8L * 1024 * 1024;

    /// <summary>A tombstone is purged only when it is older than this and an exchange confirmed every replica holds it.
    /// Also the age past which a hint's versions are no longer delivered (anti-entropy repairs the replica instead),
    /// so no hint can bring back a version whose tombstone is gone.</summary>
    public TimeSpan TombstoneGracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Start a node that was away longer than <see cref="TombstoneGracePeriod"/> on its old data anyway (deleted
    /// keys it holds may come back). By default such a node refuses to start (see AbsenceGuard).</summary>
    public bool AcceptStaleData { get; set; }

    /// <summary>Checks the options; returns one message per problem.</summary>
    public IEnumerable<string> Problems()
    {
        const string Section = "GrainKV:AntiEntropy";
        if (ExchangePeriod < TimeSpan.FromSeconds(1))
        {
            yield return $"{Section}:ExchangePeriod must be at least 1 second (was {ExchangePeriod}).";
        }

        if (Leaves is < 2 or > 1 << 16 || !System.Numerics.BitOperations.IsPow2(Leaves))
        {
            yield return $"{Section}:Leaves must be a power of two between 2 and 65536 (was {Leaves}).";
        }

        if (MaxConcurrentExchanges is < 1 or > 64)
        {
            yield return $"{Section}:MaxConcurrentExchanges must be between 1 and 64 (was {MaxConcurrentExchanges}).";
        }

        if (MaxBytesPerSecond < 64 * 1024)
        {
            yield return $"{Section}:MaxBytesPerSecond must be at least 65536 (was {MaxBytesPerSecond}).";
        }

        if (TombstoneGracePeriod < TimeSpan.FromSeconds(1))
        {
            yield return $"{Section}:TombstoneGracePeriod must be at least 1 second (was {TombstoneGracePeriod}).";
        }
    }
}
