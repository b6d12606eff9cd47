// Per-request consistency: how many replicas hold the key (N), how many must answer (R or W, or a named
// consistency level instead), and what may stand in for a replica that is down (the CAP mode). Unset fields
// take the cluster's defaults.

namespace GrainKV;

/// <summary>What a request does when replicas of its key are down or cut off.</summary>
public enum CapMode
{
    /// <summary>Available (Dynamo's sloppy quorum): healthy nodes past the key's top N take a down replica's
    /// copy as a hint and count toward W; reads may use them. Reconciled when the replica is back.</summary>
    Sloppy = 1,

    /// <summary>Consistent: only the key's top N replicas count; with fewer than W (or R) of them reachable the
    /// request fails at once with <c>NotEnoughReplicasException</c>.</summary>
    Strict = 2,
}

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

    /// <summary>Sloppy or strict; the cluster default when null.</summary>
    [Id(2)]
    public CapMode? Mode { get; init; }

    /// <summary>A named consistency level instead of <see cref="ReadQuorum"/> (setting both is refused with
    /// <c>InvalidRequestException</c>); LOCAL_QUORUM and EACH_QUORUM count replicas per datacenter.</summary>
    [Id(3)]
    public ConsistencyLevel? Consistency { get; init; }
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

    /// <summary>Sloppy or strict; the cluster default when null.</summary>
    [Id(2)]
    public CapMode? Mode { get; init; }

    /// <summary>A named consistency level instead of <see cref="WriteQuorum"/> (setting both is refused with
    /// <c>InvalidRequestException</c>); LOCAL_QUORUM and EACH_QUORUM count replicas per datacenter.</summary>
    [Id(3)]
    public ConsistencyLevel? Consistency { get; init; }
}
