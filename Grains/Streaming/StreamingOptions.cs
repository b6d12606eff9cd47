// Settings of range streaming (section "GrainKV:Streaming"): how fast and how widely a node pulls ranges when it
// bootstraps, takes over ranges of a decommissioned or removed node, and how often it checks for work.

using System.ComponentModel.DataAnnotations;

namespace GrainKV.Grains.Streaming;

/// <summary>Range streaming options; their data annotations are checked at start-up with the node options.</summary>
public sealed class StreamingOptions
{
    /// <summary>Bytes per second this node receives at most, all ranges together (a token bucket of one second).</summary>
    [Range(typeof(long), "65536", "9223372036854775807")]
    public long MaxBytesPerSecond { get; set; } = 16L * 1024 * 1024;

    /// <summary>Ranges this node streams at once.</summary>
    [Range(1, 64)]
    public int MaxConcurrentRanges { get; set; } = 2;

    /// <summary>Bytes of version sets one batch carries at most (a batch always carries at least one key).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int BatchBytes { get; set; } = 256 * 1024;

    /// <summary>How often a node looks for ranges to stream, transitions to complete and ranges to delete, and
    /// exchanges the ring record with a random peer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);
}
