// Placement of replica grains: the replica of (node, range) lives on that node's silo and nowhere else,
// because its data is in that node's engine. If the node is not active, activation fails fast and the
// caller treats the replica as unavailable.

using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace GrainKV.Grains.Placement;

/// <summary>Places a replica grain on the silo of the node named in its key.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ReplicaPlacementStrategy")]
public sealed class ReplicaPlacementStrategy : PlacementStrategy;

/// <summary>Marks a grain class whose key starts with the node id of the silo it must live on.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ReplicaPlacementAttribute() : PlacementAttribute(new ReplicaPlacementStrategy());

/// <summary>Chooses the active silo whose name is the replica's node id.</summary>
public sealed class ReplicaPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var (nodeId, _) = ReplicaKey.Parse(target.GrainIdentity.Key.ToString()!);
        var snapshot = membership.CurrentSnapshot;
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (snapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active && member.Name == nodeId)
            {
                return Task.FromResult(silo);
            }
        }

        throw new ReplicaUnavailableException(nodeId, $"Node '{nodeId}' is not active; its replicas cannot be reached.");
    }
}
