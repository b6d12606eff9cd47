// The clock of the RESP gateway's idle timeout, kept apart from Orleans' TimeProvider so tests can drive it.

namespace GrainKV.Grains.Resp;

/// <summary>Wraps the <see cref="TimeProvider"/> of the gateway's timers.</summary>
public sealed class RespClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
