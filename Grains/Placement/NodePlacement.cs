// Placement of grains that belong to one node: a replica of (node, range), whose data is in that node's
// engine, and a node's gossip endpoint. Such a grain's key starts with its node id — the whole key
// ("n1") or the part before the first slash ("n1/17"; node ids cannot contain '/') — and it lives on that
// node's silo and nowhere else. If the node is not active, activation fails fast and the caller treats the
// node as unavailable.

using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace GrainKV.Grains.Placement;

/// <summary>Places a grain on the silo of the node named in its key.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.NodePlacementStrategy")]
public sealed class NodePlacementStrategy : PlacementStrategy;

/// <summary>Marks a grain class whose key starts with the node id of the silo it must live on.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute() : PlacementAttribute(new NodePlacementStrategy());

/// <summary>Chooses the active silo whose name is the grain's node id.</summary>
public sealed class NodePlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    /// <summary>The node id a node-placed grain key names.</summary>
    public static string NodeOf(string key) => key.IndexOf('/') is var slash and > 0 ? key[..slash] : key;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var nodeId = NodeOf(target.GrainIdentity.Key.ToString()!);
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
