// Per-request consistency: how many replicas hold the key (N) and how many must answer (R or W).
// Unset fields take the cluster's defaults.

namespace GrainKV.Replication;

/// <summary>Consistency of one read.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ReadOptions")]
public sealed record ReadOptions
{
    public static ReadOptions Default { get; } = new();

    /// <summary>Replicas of the key (N); the cluster default when null.</summary>
    [Id(0)]
    public int? Replicas { get; init; }

    /// <summary>Answers required (R); the cluster default when null.</summary>
    [Id(1)]
    public Acks? ReadQuorum { get; init; }
}

/// <summary>Consistency of one write or delete.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.WriteOptions")]
public sealed record WriteOptions
{
    public static WriteOptions Default { get; } = new();

    /// <summary>Replicas of the key (N); the cluster default when null.</summary>
    [Id(0)]
    public int? Replicas { get; init; }

    /// <summary>Acknowledgements required (W); the cluster default when null.</summary>
    [Id(1)]
    public Acks? WriteQuorum { get; init; }
}
