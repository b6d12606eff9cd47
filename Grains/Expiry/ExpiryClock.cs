// The clock expiry is judged by: when a new version expires (its creator's now + its time to live), whether a read
// returns a version, and when compaction may drop an expired value. By default it is GrainKV's own clock
// (GrainKvClock); a test registers its own before AddGrainKv to move expiry forward without moving the timers of
// gossip, the ring and quorums (which would take nodes for dead).

namespace GrainKV.Grains.Expiry;

/// <summary>Wraps the <see cref="TimeProvider"/> expiry is measured on.</summary>
public sealed class ExpiryClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;

    /// <summary>Now, in Unix milliseconds.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();
}
