// Reports the local silo's ring view: nodes, liveness (membership and gossip: state, heartbeat age, who
// suspects each node), how many ranges each holds, its state on the ring (joining, normal, leaving, removing), the
// hints the local node keeps for others, and each live node's range transfers (asked from its stream service).

using GrainKV.Grains.Gossip;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Streaming;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;

namespace GrainKV.Grains.Coordination;

/// <summary>Stateless status reporter; runs on whichever silo receives the call.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
public sealed class ClusterStatusGrain(
    RingService ring, RingMembership membership, StreamServiceClient streams, GrainKvClock clock, GossipLiveness gossip, HintStore hints, NodeIdentity node,
    IOptions<GrainKvNodeOptions> options) : Grain, IClusterStatusGrain
{
    private static readonly TimeSpan TransferBound = TimeSpan.FromSeconds(3);

    public async Task<ClusterStatus> GetStatus(CancellationToken cancellationToken)
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
        var record = membership.Record;
        var nodes = view.Nodes.Values.Concat(view.Joining.Values)
            .OrderBy(n => n.NodeId, StringComparer.Ordinal)
            .Select(n => new NodeStatus(n.NodeId, n.Datacenter, n.IsLive, n.Address?.ToString() ?? "", primaries.GetValueOrDefault(n.NodeId), replicas.GetValueOrDefault(n.NodeId))
            {
                Gossip = heard.TryGetValue(n.NodeId, out var g) ? g.State.ToString().ToLowerInvariant() : "unknown",
                HeartbeatAge = heard.TryGetValue(n.NodeId, out var h) && h.State != NodeLiveness.Unknown ? h.HeartbeatAge : null,
                SuspectedBy = heard.TryGetValue(n.NodeId, out var s) ? s.SuspectedBy : [],
                RingState = (record.Find(n.NodeId)?.State ?? RingState.Normal).ToString().ToLowerInvariant(),
            })
            .ToArray();
        var transfers = await Task.WhenAll(nodes.Select(n => TransfersOf(view.AddressOfLive(n.NodeId), cancellationToken)));
        return new ClusterStatus(node.NodeId, o.RangeCount, o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum, nodes)
        {
            PendingHints = hints.Count,
            Transfers = [.. transfers.OfType<TransferStatus>()],
        };
    }

    private async Task<TransferStatus?> TransfersOf(Orleans.Runtime.SiloAddress? silo, CancellationToken cancellationToken)
    {
        if (silo is null)
        {
            return null;
        }

        try
        {
            return await streams.On(silo).Transfers(cancellationToken).WaitAsync(TransferBound, clock.Time, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
