// Decides which nodes are on the ring and which are live, from Orleans membership snapshots.
// Orleans decides who is in the cluster; the ring must be steadier than that: a node that stops — crashed or shut
// down gracefully, as in every rolling restart — stays on the ring, not live, so its ranges do not move and the
// copies it misses wait for it as hints, until it has been gone longer than the permanent-failure timeout; a new
// node joins when active. (A graceful stop used to leave the ring at once: each restart then moved ranges away
// and back, and writes acknowledged by the temporary owners were not seen by quorum reads once it returned.)
// Nodes are keyed by their stable node id (the silo name), not by SiloAddress, which changes on restart.

using Orleans.Runtime;

namespace GrainKV.Grains.Membership;

/// <summary>One member as seen in a membership snapshot.</summary>
public readonly record struct MemberObservation(string NodeId, SiloAddress Address, SiloStatus Status, string Datacenter);

/// <summary>A node on the ring and whether it is answering now.</summary>
public sealed record NodeView(string NodeId, string Datacenter, SiloAddress? Address, bool IsLive);

/// <summary>Pure state machine from membership observations to ring membership. Not thread-safe.</summary>
public sealed class MembershipTracker(TimeSpan permanentFailureTimeout)
{
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);

    /// <summary>The nodes on the ring, by node id.</summary>
    public IReadOnlyDictionary<string, NodeView> Ring => _nodes.Values
        .Where(n => n.InRing)
        .ToDictionary(n => n.NodeId, n => new NodeView(n.NodeId, n.Datacenter, n.Address, n.Status == SiloStatus.Active), StringComparer.Ordinal);

    /// <summary>Applies a membership snapshot. Returns true if ring membership, liveness or labels changed.</summary>
    public bool Observe(IEnumerable<MemberObservation> members, DateTimeOffset now)
    {
        var before = Signature();
        // Per node id: its active member if it has one (a silo refused at start with a live node's id never
        // replaces that node), else its latest.
        foreach (var latest in members.GroupBy(m => m.NodeId, StringComparer.Ordinal)
                     .Select(g => g.OrderByDescending(m => m.Status == SiloStatus.Active).ThenByDescending(m => m.Address.Generation).First()))
        {
            if (!_nodes.TryGetValue(latest.NodeId, out var node))
            {
                node = new NodeState(latest.NodeId);
                _nodes.Add(latest.NodeId, node);
            }

            node.Update(latest, now);
        }

        Expire(now);
        return before != Signature();
    }

    /// <summary>Removes nodes dead for longer than the permanent-failure timeout. Returns true if any left.</summary>
    public bool Expire(DateTimeOffset now)
    {
        var removed = false;
        foreach (var node in _nodes.Values)
        {
            if (node.InRing && node.DownSince is { } since && now - since >= permanentFailureTimeout)
            {
                node.InRing = false;
                removed = true;
            }
        }

        return removed;
    }

    private string Signature() => string.Join(';', _nodes.Values.Where(n => n.InRing).OrderBy(n => n.NodeId, StringComparer.Ordinal)
        .Select(n => $"{n.NodeId}|{n.Datacenter}|{n.Status == SiloStatus.Active}|{n.Address}"));

    private sealed class NodeState(string nodeId)
    {
        public string NodeId { get; } = nodeId;

        public string Datacenter { get; private set; } = "";

        public SiloAddress? Address { get; private set; }

        public SiloStatus Status { get; private set; } = SiloStatus.None;

        public bool InRing { get; set; }

        public DateTimeOffset? DownSince { get; private set; }

        public void Update(MemberObservation member, DateTimeOffset now)
        {
            Address = member.Address;
            Status = member.Status;
            if (member.Datacenter.Length > 0)
            {
                Datacenter = member.Datacenter;
            }

            switch (member.Status)
            {
                case SiloStatus.Active:
                    InRing = true;
                    DownSince = null;
                    break;
                case SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead when DownSince is null:
                    // Stopping, stopped or crashed (or first seen so): it keeps its place until the permanent-failure
                    // timeout.
                    DownSince = now;
                    InRing = true;
                    break;
                default:
                    // Created / Joining: a known node keeps its place; a new one joins when active.
                    break;
            }
        }
    }
}
