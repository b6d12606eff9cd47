// Settings of the hash ring. Q (RangeCount) and V (TokensPerNode) are fixed when a cluster is created:
// changing either changes the owner of almost every range. N (ReplicationFactor) is the default
// preference-list length; a request may ask for another N.

namespace GrainKV.Grains.Ring;

/// <summary>How a preference list uses datacenter labels.</summary>
public enum DatacenterPlacement
{
    /// <summary>Take the first distinct nodes clockwise, whatever their datacenter.</summary>
    Ignore = 0,

    /// <summary>
    /// Walk clockwise taking the first node of each datacenter not yet represented; when every
    /// datacenter is represented, fill the remaining places with the skipped nodes in clockwise order.
    /// With one datacenter (or no labels) this is the same as <see cref="Ignore"/>.
    /// </summary>
    PreferDistinct = 1,
}

/// <summary>Settings of a <see cref="HashRing"/>.</summary>
public sealed record RingOptions
{
    /// <summary>Q: the number of key ranges; a power of two, fixed at cluster creation.</summary>
    public int RangeCount { get; init; } = 1024;

    /// <summary>V: tokens (virtual nodes) per node; fixed at cluster creation.</summary>
    public int TokensPerNode { get; init; } = 256;

    /// <summary>N: the default number of replicas of each range.</summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>How replicas are spread over datacenters.</summary>
    public DatacenterPlacement Datacenters { get; init; } = DatacenterPlacement.PreferDistinct;

    /// <summary>The upper bound on <see cref="TokensPerNode"/>.</summary>
    public const int MaxTokensPerNode = 1 << 16;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        _ = new KeySpace(RangeCount);
        if (TokensPerNode < 1 || TokensPerNode > MaxTokensPerNode)
        {
            throw new ArgumentOutOfRangeException(nameof(TokensPerNode), TokensPerNode,
                $"Tokens per node must be between 1 and {MaxTokensPerNode}.");
        }

        if (ReplicationFactor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ReplicationFactor), ReplicationFactor,
                "The replication factor must be at least 1.");
        }

        if (!Enum.IsDefined(Datacenters))
        {
            throw new ArgumentOutOfRangeException(nameof(Datacenters), Datacenters, "Unknown datacenter placement.");
        }
    }
}
