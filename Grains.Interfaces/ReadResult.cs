// What a read returns: the value(s) found for a key.

namespace GrainKV;

/// <summary>The outcome of a read. <see cref="Values"/> is empty when the key is absent.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ReadResult")]
public sealed record ReadResult([property: Id(0)] IReadOnlyList<byte[]> Values)
{
    /// <summary>The result for an absent key.</summary>
    public static ReadResult NotFound { get; } = new(Array.Empty<byte[]>());

    /// <summary>True when at least one value was found.</summary>
    public bool Found => Values.Count > 0;
}
