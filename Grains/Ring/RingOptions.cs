// Settings of the hash ring. Q (RangeCount) and V (VirtualNodes) are fixed when a cluster is created:
// changing either changes the owner of almost every range. N (ReplicationFactor) is the default
// preference-list length; a request may ask for another N. ReplicasPerDatacenter splits N over datacenters.

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
    /// <summary>The default of <see cref="VirtualNodes"/>, for every place that configures it.</summary>
    public const int DefaultVirtualNodes = 256;

    /// <summary>The default of <see cref="ReplicationFactor"/>, for every place that configures it.</summary>
    public const int DefaultReplicationFactor = 3;

    /// <summary>Q: the number of key ranges; a power of two, fixed at cluster creation.</summary>
    public int RangeCount { get; init; } = Partitioning.KeyPartitioner.DefaultRangeCount;

    /// <summary>V: tokens (virtual nodes) per node; fixed at cluster creation.</summary>
    public int VirtualNodes { get; init; } = DefaultVirtualNodes;

    /// <summary>N: the default number of replicas of each range.</summary>
    public int ReplicationFactor { get; init; } = DefaultReplicationFactor;

    /// <summary>How replicas are spread over datacenters.</summary>
    public DatacenterPlacement Datacenters { get; init; } = DatacenterPlacement.PreferDistinct;

    /// <summary>
    /// Replicas per datacenter label (see <see cref="DatacenterReplication"/>): when set, each range's top N holds
    /// exactly this many nodes of each datacenter (fewer where a datacenter has fewer nodes; the places left go to
    /// the next nodes clockwise), and <see cref="Datacenters"/> is not used. The counts add up to
    /// <see cref="ReplicationFactor"/>. Null: no per-datacenter counts.
    /// </summary>
    public IReadOnlyDictionary<string, int>? ReplicasPerDatacenter { get; init; }

    /// <summary>The upper bound on <see cref="VirtualNodes"/>.</summary>
    public const int MaxVirtualNodes = 1 << 16;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        _ = new KeySpace(RangeCount);
        if (VirtualNodes < 1 || VirtualNodes > MaxVirtualNodes)
        {
            throw new ArgumentOutOfRangeException(nameof(VirtualNodes), VirtualNodes,
                $"Virtual nodes (tokens) per node must be between 1 and {MaxVirtualNodes}.");
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

        if (ReplicasPerDatacenter is { } counts)
        {
            if (counts.Values.Any(c => c < 0) || counts.Values.Sum(c => (long)c) != ReplicationFactor)
            {
                throw new ArgumentException(
                    $"The replicas per datacenter ({DatacenterReplication.Format(counts)}) must not be negative and must add up to the replication factor ({ReplicationFactor}).",
                    nameof(ReplicasPerDatacenter));
            }
        }
    }
}
