// The gossip transport: one gossip grain per node, keyed by the node id and pinned to the silo of that name
// (NodePlacement; placement fails fast when the node is not an active member). A peer pushes its table
// with Exchange; the grain merges it into this node's GossipLiveness and returns this node's table (push-pull).
// Reentrant: an exchange never waits for another one.

using Orleans.Concurrency;
using Orleans.Runtime;
using GrainKV.Grains.Placement;

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
[NodePlacement]
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
