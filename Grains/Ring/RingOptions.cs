// Settings of the hash ring. Q (RangeCount) and V (VirtualNodes) are fixed when a cluster is created:
// changing either changes the owner of almost every range. N (ReplicationFactor) is the default
// preference-list length; a request may ask for another N. ReplicasPerDatacenter splits N over datacenters.
// The rules are data annotations plus the cross-field rules of Validate(ValidationContext), checked by the generated
// RingOptionsValidator whenever a ring is built.

using System.ComponentModel.DataAnnotations;
using GrainKV.Shared;
using GrainKV.Validation;
using Microsoft.Extensions.Options;

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
public sealed record RingOptions : IValidatableObject
{
    /// <summary>The default of <see cref="VirtualNodes"/>, for every place that configures it.</summary>
    public const int DefaultVirtualNodes = 256;

    /// <summary>The default of <see cref="ReplicationFactor"/>, for every place that configures it.</summary>
    public const int DefaultReplicationFactor = 3;

    /// <summary>Q: the number of key ranges; a power of two, fixed at cluster creation.</summary>
    [Range(1, KeySpace.MaxRangeCount)]
    [PowerOfTwo]
    public int RangeCount { get; init; } = Partitioning.KeyPartitioner.DefaultRangeCount;

    /// <summary>V: tokens (virtual nodes) per node; fixed at cluster creation.</summary>
    [Range(1, MaxVirtualNodes)]
    public int VirtualNodes { get; init; } = DefaultVirtualNodes;

    /// <summary>N: the default number of replicas of each range.</summary>
    [Range(1, int.MaxValue)]
    public int ReplicationFactor { get; init; } = DefaultReplicationFactor;

    /// <summary>How replicas are spread over datacenters.</summary>
    [EnumDataType(typeof(DatacenterPlacement), ErrorMessage = "The field {0} must be Ignore or PreferDistinct.")]
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

    /// <summary>Checks every rule; throws <see cref="OptionsValidationException"/> listing each broken one.</summary>
    public void Validate() => new RingOptionsValidator().ThrowIfInvalid(this);

    /// <summary>The rules that relate two settings.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReplicasPerDatacenter is { } counts && (counts.Values.Any(c => c < 0) || counts.Values.Sum(c => (long)c) != ReplicationFactor))
        {
            yield return new ValidationResult(
                $"The replicas per datacenter ({DatacenterReplication.Format(counts)}) must not be negative and must add up to the replication factor ({ReplicationFactor}).",
                [nameof(ReplicasPerDatacenter)]);
        }
    }
}

/// <summary>Checks <see cref="RingOptions"/>: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class RingOptionsValidator : IValidateOptions<RingOptions>;
