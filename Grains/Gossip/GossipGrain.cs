// The gossip transport: one gossip grain per node, keyed by the node id and pinned to the silo of that name
// (GossipPlacement; placement fails fast when the node is not an active member). A peer pushes its table
// with Exchange; the grain merges it into this node's GossipLiveness and returns this node's table (push-pull).
// Reentrant: an exchange never waits for another one.

using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace GrainKV.Grains.Gossip;

/// <summary>A node's gossip endpoint; key = the node id.</summary>
[Alias("grainkv.IGossipGrain")]
public interface IGossipGrain : IGrainWithStringKey
{
    /// <summary>Merges <paramref name="entries"/>, sent by node <paramref name="from"/>, and returns this node's table.</summary>
    [Alias("Exchange")]
    Task<GossipEntry[]> Exchange(string from, GossipEntry[] entries, CancellationToken cancellationToken = default);
}

/// <summary>The gossip endpoint of the node this silo is.</summary>
[Reentrant]
[GossipPlacement]
public sealed class GossipGrain(GossipLiveness liveness, GossipFaults faults, IGrainContext context) : Grain, IGossipGrain
{
    private readonly string _nodeId = context.GrainId.Key.ToString()!;

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        _nodeId == liveness.NodeId
            ? Task.CompletedTask
            : throw new ReplicaUnavailableException(_nodeId, $"Gossip grain of node '{_nodeId}' cannot run on node '{liveness.NodeId}'.");

    public async Task<GossipEntry[]> Exchange(string from, GossipEntry[] entries, CancellationToken cancellationToken)
    {
        if (faults.Drops(from))
        {
            throw new ReplicaUnavailableException(_nodeId, $"gossip from node '{from}' dropped (fault injected)");
        }

        if (faults.HeldFrom(from) is { IsCompleted: false } held)
        {
            // Held by a fault rule until it is released or the caller gives up (its exchange timeout).
            await held.WaitAsync(cancellationToken);
        }

        liveness.Merge(entries);
        return liveness.Digest();
    }
}

/// <summary>Places a gossip grain on the silo named by its key.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.GossipPlacementStrategy")]
public sealed class GossipPlacementStrategy : PlacementStrategy;

/// <summary>Marks a grain class whose key is the node id of the silo it must live on.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class GossipPlacementAttribute() : PlacementAttribute(new GossipPlacementStrategy());

/// <summary>Chooses the active silo whose name is the grain's key; throws (the caller's call fails at once) if there is none.</summary>
public sealed class GossipPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var nodeId = target.GrainIdentity.Key.ToString()!;
        var snapshot = membership.CurrentSnapshot;
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (snapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active && member.Name == nodeId)
            {
                return Task.FromResult(silo);
            }
        }

        throw new ReplicaUnavailableException(nodeId, $"Node '{nodeId}' is not active; its gossip endpoint cannot be reached.");
    }
}
