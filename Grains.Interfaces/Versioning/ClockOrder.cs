// The four possible causal relations between two vector clocks.

namespace GrainKV.Versioning;

/// <summary>How clock <c>a</c> relates to clock <c>b</c> in <see cref="VectorClock.Compare"/>.</summary>
[GenerateSerializer]
[Alias("GrainKV.Versioning.ClockOrder")]
public enum ClockOrder
{
    /// <summary>Same counters for every node: the same version.</summary>
    Equal = 0,

    /// <summary><c>a</c> happened before <c>b</c>: <c>b</c> descends from <c>a</c> and differs.</summary>
    Before = 1,

    /// <summary><c>a</c> happened after <c>b</c>: <c>a</c> descends from <c>b</c> and differs.</summary>
    After = 2,

    /// <summary>Neither descends from the other: conflicting versions (siblings).</summary>
    Concurrent = 3,
}
