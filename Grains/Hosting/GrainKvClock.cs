// The clock of GrainKV's own timers (ring expiry, quorum timeouts). Kept apart from the TimeProvider that
// Orleans itself uses, so tests can drive GrainKV's time without stopping Orleans' timers.

namespace GrainKV.Grains.Hosting;

/// <summary>Wraps the <see cref="TimeProvider"/> GrainKV's timers use.</summary>
public sealed class GrainKvClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
