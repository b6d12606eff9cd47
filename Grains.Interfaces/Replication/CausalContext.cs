// The opaque causal context a read returns and a later write hands back: the merged vector clock of
// every version the reader saw, so the write supersedes exactly those versions.

using GrainKV.Versioning;

namespace GrainKV.Replication;

/// <summary>An opaque token naming the versions a client has seen.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.CausalContext")]
public sealed record CausalContext([property: Id(0)] byte[] Bytes)
{
    /// <summary>No versions seen: a write with it never supersedes anything.</summary>
    public static CausalContext Empty { get; } = new([]);

    public bool IsEmpty => Bytes.Length == 0;

    /// <summary>The clock's context string (URL-safe base64), for the command line.</summary>
    public override string ToString() => IsEmpty ? "" : VectorClock.Decode(Bytes).ToContextString();

    /// <summary>Parses the form <see cref="ToString"/> writes, checking that it is a vector clock.
    /// Throws <see cref="FormatException"/> if malformed.</summary>
    public static CausalContext Parse(string text) => new(VectorClock.FromContextString(text).Encode());

    public bool Equals(CausalContext? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode() => Convert.ToHexString(Bytes).GetHashCode(StringComparison.Ordinal);
}
