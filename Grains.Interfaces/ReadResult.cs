using GrainKV.Versioning;
// What a read returns: every concurrent value of the key (siblings), when each expires, and the causal context
// to write back.


namespace GrainKV;

/// <summary>The outcome of a read. <see cref="Values"/> is empty when the key is absent (or deleted, or every value
/// expired); more than one value means concurrent writes (siblings) that the client should resolve and write back
/// with <see cref="Context"/>. <see cref="Expirations"/> (null when no value expires) holds each value's expiry (null: never), in the
/// order of <see cref="Values"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ReadResult")]
public sealed record ReadResult(
    [property: Id(0)] IReadOnlyList<byte[]> Values,
    [property: Id(1)] CausalContext Context,
    [property: Id(2)] IReadOnlyList<DateTimeOffset?>? Expirations = null)
{
    /// <summary>The result for a key never written.</summary>
    public static ReadResult NotFound { get; } = new(Array.Empty<byte[]>(), CausalContext.Empty);

    /// <summary>True when at least one value was found.</summary>
    public bool Found => Values.Count > 0;

    /// <summary>True when concurrent values were found.</summary>
    public bool HasSiblings => Values.Count > 1;

    /// <summary>The value when there is exactly one. Throws if absent or if there are siblings.</summary>
    public byte[] Value => Values.Count == 1
        ? Values[0]
        : throw new InvalidOperationException(Values.Count == 0 ? "The key has no value." : $"The key has {Values.Count} concurrent values; read Values.");

    /// <summary>When the value at <paramref name="index"/> of <see cref="Values"/> expires; null if it never does.</summary>
    public DateTimeOffset? ExpirationOf(int index) =>
        (uint)index < (uint)Values.Count
            ? Expirations is { } expirations && index < expirations.Count ? expirations[index] : null
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"The read has {Values.Count} value(s).");
}
