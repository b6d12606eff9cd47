// Reports the local silo's ring view: nodes, liveness (membership and gossip: state, heartbeat age, who
// suspects each node), how many ranges each holds, and the hints the local node keeps for others.

using GrainKV.Grains.Gossip;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;

namespace GrainKV.Grains.Coordination;

/// <summary>Stateless status reporter; runs on whichever silo receives the call.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
public sealed class ClusterStatusGrain(
    RingService ring, GossipLiveness gossip, HintStore hints, NodeIdentity node, IOptions<GrainKvNodeOptions> options) : Grain, IClusterStatusGrain
{
    public Task<ClusterStatus> GetStatus(CancellationToken cancellationToken)
    {
        var view = ring.Current;
        var o = options.Value;
        var primaries = new Dictionary<string, int>(StringComparer.Ordinal);
        var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var range = 0; range < o.RangeCount; range++)
        {
            var list = view.PreferenceList(range, o.ReplicationFactor);
            for (var i = 0; i < list.Count; i++)
            {
                replicas[list[i]] = replicas.GetValueOrDefault(list[i]) + 1;
                if (i == 0)
                {
                    primaries[list[i]] = primaries.GetValueOrDefault(list[i]) + 1;
                }
            }
        }

        var heard = gossip.Snapshot().Nodes.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        var nodes = view.Nodes.Values
            .OrderBy(n => n.NodeId, StringComparer.Ordinal)
            .Select(n => new NodeStatus(n.NodeId, n.Datacenter, n.IsLive, n.Address?.ToString() ?? "", primaries.GetValueOrDefault(n.NodeId), replicas.GetValueOrDefault(n.NodeId))
            {
                Gossip = heard.TryGetValue(n.NodeId, out var g) ? g.State.ToString().ToLowerInvariant() : "unknown",
                HeartbeatAge = heard.TryGetValue(n.NodeId, out var h) && h.State != NodeLiveness.Unknown ? h.HeartbeatAge : null,
                SuspectedBy = heard.TryGetValue(n.NodeId, out var s) ? s.SuspectedBy : [],
            })
            .ToArray();
        return Task.FromResult(new ClusterStatus(node.NodeId, o.RangeCount, o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum, nodes)
        {
            PendingHints = hints.Count,
        });
    }
}
