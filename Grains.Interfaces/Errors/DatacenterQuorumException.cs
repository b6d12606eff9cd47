// The error of a per-datacenter consistency level (LOCAL_QUORUM, EACH_QUORUM) that a datacenter could not meet.
// It is a NotEnoughReplicasException, so code that handles "not enough replicas" handles it too; it adds which
// datacenter fell short and whether that was known before any replica was asked (its live replicas were too few).

namespace GrainKV;

/// <summary>A datacenter's replicas could not make the quorum a LOCAL_QUORUM or EACH_QUORUM request needs there.
/// When <see cref="KnownBeforehand"/> is true the request failed before asking any replica (nothing was written);
/// otherwise a write may have reached some replicas, as with <see cref="NotEnoughReplicasException"/>.</summary>
[GenerateSerializer]
[Alias("grainkv.DatacenterQuorumException")]
public sealed class DatacenterQuorumException : NotEnoughReplicasException
{
    public DatacenterQuorumException(ConsistencyLevel level, string datacenter, int required, int answered, bool knownBeforehand, string detail)
        : base(
            ($"{level.Name()} not met in datacenter '{datacenter}': {answered} of the required {required} replica(s) "
                + (knownBeforehand ? "are reachable; nothing was sent. " : "answered. ") + detail).TrimEnd(),
            required,
            answered)
    {
        Level = level;
        Datacenter = datacenter;
        KnownBeforehand = knownBeforehand;
    }

    /// <summary>The request's consistency level.</summary>
    [Id(0)]
    public ConsistencyLevel Level { get; private set; }

    /// <summary>The datacenter whose quorum was not met (empty for nodes without a label).</summary>
    [Id(1)]
    public string Datacenter { get; private set; }

    /// <summary>True when too few of the datacenter's replicas were live to begin with, so no replica was asked.</summary>
    [Id(2)]
    public bool KnownBeforehand { get; private set; }
}
