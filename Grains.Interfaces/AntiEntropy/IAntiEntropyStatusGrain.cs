// Anti-entropy status for operators (grainkv status --ranges): per node, the keys its range trees count and
// the exchanges it ran; per range, the last exchange, keys repaired and bytes moved. TombstoneKeys counts the keys
// whose sets hold only tombstones and expiring versions (live or expired): what a purge may remove in time.

namespace GrainKV.AntiEntropy;

/// <summary>One node's anti-entropy figures since it started.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.NodeAntiEntropyStatus")]
public sealed record NodeAntiEntropyStatus(
    [property: Id(0)] string NodeId,
    [property: Id(1)] long Keys,
    [property: Id(2)] int TrackedRanges,
    [property: Id(3)] long TombstoneKeys,
    [property: Id(4)] IReadOnlyList<RangeExchangeStatus> Exchanges)
{
    /// <summary>Why the node did not answer, or null.</summary>
    [Id(5)]
    public string? Error { get; init; }
}

/// <summary>Every live node's anti-entropy figures, as gathered by <see cref="ObservedBy"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.AntiEntropyStatus")]
public sealed record AntiEntropyStatus(
    [property: Id(0)] string ObservedBy,
    [property: Id(1)] int RangeCount,
    [property: Id(2)] IReadOnlyList<NodeAntiEntropyStatus> Nodes);

/// <summary>Gathers every live node's figures (key: always 0).</summary>
[Alias("grainkv.IAntiEntropyStatusGrain")]
public interface IAntiEntropyStatusGrain : IGrainWithIntegerKey
{
    [Alias("GetStatus")]
    Task<AntiEntropyStatus> GetStatus(CancellationToken cancellationToken = default);
}
