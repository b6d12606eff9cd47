// One version of a key as replicas store and exchange it: a dotted version vector. The dot (Node, Counter)
// names the write that created the version; Past is the causal context that write superseded. A version
// is obsolete once another version's Past covers its dot, so a write without context never overwrites a
// version it did not see: the two become siblings. A null value is a tombstone (a deletion is a version).
// Node is the *actor* that issued the dot: a node incarnation ("{node id}/{incarnation}"), never reused.
//
// Expiry (time to live) is part of the version: ExpiresAtMs is the Unix-millisecond instant, fixed by the
// replica that created the version, from which the version reads as absent (0 = never). Every copy of the
// write carries the same instant, so replicas agree on it (each compares it with its own clock). Once expired,
// a version's value may be dropped ("reclaimed": Value null, ExpiresAtMs kept); a reclaimed copy is the same
// write as the full one (SameWrite) and hashes the same (MerkleTree.Digest), so dropping a value never makes
// replicas differ. A tombstone never expires. See docs/ARCHITECTURE.md, "Expiry".

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
    /// <summary>Unix milliseconds from which this version reads as absent; 0 when it never expires.</summary>
    [Id(5)]
    public long ExpiresAtMs { get; init; }

    /// <summary>True if this version records a deletion.</summary>
    public bool IsTombstone => Value is null && ExpiresAtMs == 0;

    /// <summary>True if this version was written with a time to live.</summary>
    public bool Expires => ExpiresAtMs != 0;

    /// <summary>True if this version expired and its value was dropped to reclaim its space.</summary>
    public bool IsReclaimed => Value is null && ExpiresAtMs != 0;

    /// <summary>True if this version has expired at <paramref name="nowMs"/> (Unix milliseconds).</summary>
    public bool IsExpiredAt(long nowMs) => ExpiresAtMs != 0 && nowMs >= ExpiresAtMs;

    /// <summary>True if this version holds a value that a read at <paramref name="nowMs"/> returns.</summary>
    public bool IsLiveAt(long nowMs) => Value is not null && !IsExpiredAt(nowMs);

    /// <summary>This version without its value if it has expired at <paramref name="nowMs"/>; otherwise itself.</summary>
    public StoredVersion ReclaimedAt(long nowMs) => Value is not null && IsExpiredAt(nowMs) ? this with { Value = null } : this;

    /// <summary>True if <paramref name="other"/> was created with this version in its causal past.</summary>
    public bool IsObsoletedBy(StoredVersion other) => !SameDot(other) && other.Past.CounterOf(Node) >= Counter;

    /// <summary>True if both versions carry the same dot. Normally that means the same write; see <see cref="SameWrite"/>.</summary>
    public bool SameDot(StoredVersion other) => Counter == other.Counter && string.Equals(Node, other.Node, StringComparison.Ordinal);

    /// <summary>True if both versions have one dot, past, timestamp and expiry: what a version read without its value
    /// (VersionSetCodec.DecodeWithoutValues) tells of the write. Only the values tell a copy of one write from a dot
    /// conflict (<see cref="SameWrite"/>).</summary>
    public bool SameHeader(StoredVersion other) =>
        SameDot(other) && TimestampMs == other.TimestampMs && ExpiresAtMs == other.ExpiresAtMs && Past.Equals(other.Past);

    /// <summary>True if both versions are copies of one write: same dot, past, timestamp, expiry and value (a reclaimed
    /// copy matches any value: it is the expired write with its value dropped). Two versions with one dot that differ
    /// otherwise are a dot conflict (a dot issued twice); both are kept.</summary>
    public bool SameWrite(StoredVersion other) =>
        SameHeader(other)
        && (IsReclaimed || other.IsReclaimed
            || (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value)));
}
