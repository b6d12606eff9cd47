// Settings of range streaming (section "GrainKV:Streaming"): how fast and how widely a node pulls ranges when it
// bootstraps, takes over ranges of a decommissioned or removed node, and how often it checks for work.

namespace GrainKV.Grains.Streaming;

/// <summary>Range streaming options; validated at start-up with the node options.</summary>
public sealed class StreamingOptions
{
    /// <summary>Bytes per second this node receives at most, all ranges together (a token bucket of one second).</summary>
    public long MaxBytesPerSecond { get; set; } = 16L * 1024 * 1024;

    /// <summary>Ranges this node streams at once.</summary>
    public int MaxConcurrentRanges { get; set; } = 2;

    /// <summary>Bytes of version sets one batch carries at most (a batch always carries at least one key).</summary>
    public int BatchBytes { get; set; } = 256 * 1024;

    /// <summary>How often a node looks for ranges to stream, transitions to complete and ranges to delete, and
    /// exchanges the ring record with a random peer.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The problems of these options, each naming its setting (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        const string Section = "GrainKV:Streaming";
        if (MaxBytesPerSecond < 64 * 1024)
        {
            yield return $"{Section}:MaxBytesPerSecond must be at least 65536 (was {MaxBytesPerSecond}).";
        }

        if (MaxConcurrentRanges is < 1 or > 64)
        {
            yield return $"{Section}:MaxConcurrentRanges must be between 1 and 64 (was {MaxConcurrentRanges}).";
        }

        if (BatchBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return $"{Section}:BatchBytes must be between 1024 and 16 MiB (was {BatchBytes}).";
        }

        if (CheckInterval < TimeSpan.FromMilliseconds(50) || CheckInterval > TimeSpan.FromMinutes(1))
        {
            yield return $"{Section}:CheckInterval must be between 50 ms and 1 minute (was {CheckInterval}).";
        }
    }
}
