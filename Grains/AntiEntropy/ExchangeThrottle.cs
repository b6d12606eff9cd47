// Bounds what anti-entropy costs one node: at most MaxConcurrentExchanges exchanges run at once, and all exchanges
// together move at most MaxBytesPerSecond (WorkThrottle).

using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>This node's exchange slots and byte budget.</summary>
public sealed class ExchangeThrottle(IOptions<GrainKvNodeOptions> options, GrainKvClock clock)
    : WorkThrottle(options.Value.AntiEntropy.MaxConcurrentExchanges, options.Value.AntiEntropy.MaxBytesPerSecond, clock.Time);
