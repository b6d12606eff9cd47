// Bounds what streaming costs this node: at most MaxConcurrentRanges ranges stream at once, and all of them
// together receive at most MaxBytesPerSecond (WorkThrottle).

using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Streaming;

/// <summary>This node's streaming slots and byte budget.</summary>
public sealed class StreamThrottle(IOptions<GrainKvNodeOptions> options, GrainKvClock clock)
    : WorkThrottle(options.Value.Streaming.MaxConcurrentRanges, options.Value.Streaming.MaxBytesPerSecond, clock.Time);
