// One version of a key's value: the vector clock it was written under, the value bytes (null for a
// tombstone: a delete is a version like any other, so it can dominate or be concurrent with a write),
// and the coordinator's wall-clock time of the write.

namespace GrainKV.Versioning;

/// <summary>A value (or tombstone) with its vector clock.</summary>
/// <remarks>Marked <c>[Immutable]</c> for Orleans: never modify <see cref="Value"/> after construction.</remarks>
[GenerateSerializer]
[Immutable]
[Alias("GrainKV.Versioning.VersionedValue")]
public sealed record VersionedValue
{
    /// <param name="clock">The version's vector clock.</param>
    /// <param name="value">The value bytes, or null for a tombstone. Not copied.</param>
    /// <param name="timestampUnixMs">Wall-clock time of the write (Unix milliseconds).</param>
    public VersionedValue(VectorClock clock, byte[]? value, long timestampUnixMs)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
        Value = value;
        TimestampUnixMs = timestampUnixMs;
    }

    /// <summary>A delete, recorded as a version with no value.</summary>
    public static VersionedValue Tombstone(VectorClock clock, long timestampUnixMs) => new(clock, null, timestampUnixMs);

    [Id(0)]
    public VectorClock Clock { get; init; }

    /// <summary>The value bytes, or null for a tombstone.</summary>
    [Id(1)]
    public byte[]? Value { get; init; }

    [Id(2)]
    public long TimestampUnixMs { get; init; }

    public bool IsTombstone => Value is null;

    /// <summary>Equal clocks (structurally), timestamps and value bytes.</summary>
    public bool Equals(VersionedValue? other) =>
        other is not null
        && Clock.Equals(other.Clock)
        && TimestampUnixMs == other.TimestampUnixMs
        && (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value));

    public override int GetHashCode() => HashCode.Combine(Clock, TimestampUnixMs, Value?.Length ?? -1);

    public override string ToString() =>
        $"{Clock}@{TimestampUnixMs}:{(Value is null ? "tombstone" : $"{Value.Length} bytes")}";
}
