// Where each node is and whether it answers, from Orleans membership snapshots. Orleans decides who is in the
// cluster; it does not decide who is on the ring: that is the ring record's (RingRecord), changed only by joins and
// operator commands. So a node that stops — crashed or shut down gracefully, as in every rolling restart — stays
// known here, not live, for as long as it is away, and keeps its place on the ring until an operator decommissions
// or removes it. Nodes are keyed by their stable node id (the silo name), not by SiloAddress, which changes on restart.

using Orleans.Runtime;

namespace GrainKV.Grains.Membership;

/// <summary>One member as seen in a membership snapshot.</summary>
public readonly record struct MemberObservation(string NodeId, SiloAddress Address, SiloStatus Status, string Datacenter);

/// <summary>A node, its address and whether it is answering now.</summary>
public sealed record NodeView(string NodeId, string Datacenter, SiloAddress? Address, bool IsLive);

/// <summary>Pure state machine from membership observations to node addresses and liveness. Not thread-safe.</summary>
public sealed class MembershipTracker
{
    private readonly Dictionary<string, NodeView> _nodes = new(StringComparer.Ordinal);

    /// <summary>Every node seen since start, by node id; a node that stopped stays, not live.</summary>
    public IReadOnlyDictionary<string, NodeView> Known => _nodes;

    /// <summary>Applies a membership snapshot. Returns true if an address, liveness or label changed.</summary>
    public bool Observe(IEnumerable<MemberObservation> members)
    {
        var changed = false;

        // Per node id: its active member if it has one (a silo refused at start with a live node's id never
        // replaces that node), else its latest.
        foreach (var latest in members.GroupBy(m => m.NodeId, StringComparer.Ordinal)
                     .Select(g => g.OrderByDescending(m => m.Status == SiloStatus.Active).ThenByDescending(m => m.Address.Generation).First()))
        {
            _nodes.TryGetValue(latest.NodeId, out var before);
            if (before is null && latest.Status != SiloStatus.Active)
            {
                // Created / Joining, or first seen already stopping: not reachable, nothing to know yet.
                continue;
            }

            var datacenter = latest.Datacenter.Length > 0 ? latest.Datacenter : before?.Datacenter ?? "";
            var view = new NodeView(latest.NodeId, datacenter, latest.Address, latest.Status == SiloStatus.Active);
            if (before is not null && latest.Status is SiloStatus.Created or SiloStatus.Joining)
            {
                // A known node starting again: keeps its last address until it is active.
                view = before with { IsLive = false };
            }

            if (view != before)
            {
                _nodes[latest.NodeId] = view;
                changed = true;
            }
        }

        return changed;
    }
}
