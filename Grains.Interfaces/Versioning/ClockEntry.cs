// One entry of a vector clock: how many times a node coordinated a write of this key's history
// (the counter), and the wall-clock time of the latest of those writes (used only to truncate the
// clock, oldest entries first; never for ordering).

namespace GrainKV.Versioning;

/// <summary>A node's entry in a <see cref="VectorClock"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GrainKV.Versioning.ClockEntry")]
public readonly record struct ClockEntry(
    [property: Id(0)] string NodeId,
    [property: Id(1)] ulong Counter,
    [property: Id(2)] long TimestampUnixMs);
