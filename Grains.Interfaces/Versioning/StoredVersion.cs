// One version of a key as replicas store and exchange it: a dotted version vector. The dot (Node, Counter)
// names the write that created the version; Past is the causal context that write superseded. A version
// is obsolete once another version's Past covers its dot, so a write without context never overwrites a
// version it did not see: the two become siblings. A null value is a tombstone (a deletion is a version).
// Node is the *actor* that issued the dot: a node incarnation ("{node id}/{incarnation}"), never reused.

using GrainKV.Versioning;

namespace GrainKV.Versioning;

/// <summary>A version of a key's value (or a tombstone) with its causal history.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.StoredVersion")]
public sealed record StoredVersion(
    [property: Id(0)] string Node,
    [property: Id(1)] ulong Counter,
    [property: Id(2)] VectorClock Past,
    [property: Id(3)] long TimestampMs,
    [property: Id(4)] byte[]? Value)
{
    /// <summary>True if this version records a deletion.</summary>
    public bool IsTombstone => Value is null;

    /// <summary>True if <paramref name="other"/> was created with this version in its causal past.</summary>
    public bool IsObsoletedBy(StoredVersion other) => !SameDot(other) && other.Past.CounterOf(Node) >= Counter;

    /// <summary>True if both versions carry the same dot. Normally that means the same write; see <see cref="SameWrite"/>.</summary>
    public bool SameDot(StoredVersion other) => Counter == other.Counter && string.Equals(Node, other.Node, StringComparison.Ordinal);

    /// <summary>True if both versions are copies of one write: same dot, past, timestamp and value. Two versions
    /// with one dot that differ otherwise are a dot conflict (a dot issued twice); both are kept.</summary>
    public bool SameWrite(StoredVersion other) =>
        SameDot(other) && TimestampMs == other.TimestampMs && Past.Equals(other.Past)
        && (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value));
}
