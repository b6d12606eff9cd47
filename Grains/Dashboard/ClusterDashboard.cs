// The JSON the dashboard page polls (/dashboard/api/cluster): the ring as this node sees it — every node with
// its liveness (membership and gossip), its share of the ranges and the arcs of the circle it is first for —
// and each node's figures, asked of the nodes in parallel with a short bound (a node that does not answer is
// shown without figures, with the reason).

using GrainKV.Grains.Gossip;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Dashboard;

/// <summary>Builds the dashboard's view of the cluster.</summary>
public sealed class ClusterDashboard(
    RingService ring, GossipLiveness gossip, NodeIdentity node, NodeFiguresSource local, NodeFiguresServiceClient remote,
    IOptions<GrainKvNodeOptions> options, GrainKvClock clock)
{
    private static readonly TimeSpan FiguresBound = TimeSpan.FromSeconds(2);
    private readonly GrainKvNodeOptions _options = options.Value;

    public async Task<ClusterView> ReadAsync(bool orleansDashboard, CancellationToken cancellationToken)
    {
        var view = ring.Current;
        var n = _options.ReplicationFactor;
        var primaries = new Dictionary<string, int>(StringComparer.Ordinal);
        var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
        var arcs = new List<RingArc>();
        for (var range = 0; range < _options.RangeCount; range++)
        {
            var list = view.PreferenceList(range, n);
            for (var i = 0; i < list.Count; i++)
            {
                replicas[list[i]] = replicas.GetValueOrDefault(list[i]) + 1;
            }

            if (list.Count == 0)
            {
                continue;
            }

            primaries[list[0]] = primaries.GetValueOrDefault(list[0]) + 1;
            if (arcs.Count > 0 && arcs[^1].Node == list[0] && arcs[^1].End == range)
            {
                arcs[^1] = arcs[^1] with { End = range + 1 };
            }
            else
            {
                arcs.Add(new RingArc(list[0], range, range + 1));
            }
        }

        var heard = gossip.Snapshot().Nodes.ToDictionary(g => g.NodeId, StringComparer.Ordinal);
        var ordered = view.Nodes.Values.OrderBy(v => v.NodeId, StringComparer.Ordinal).ToArray();
        var figures = await Task.WhenAll(ordered.Select(v => FiguresOfAsync(v.NodeId, v.IsLive ? v.Address : null, cancellationToken)));
        var nodes = ordered.Select((v, i) =>
        {
            var g = heard.GetValueOrDefault(v.NodeId);
            return new DashboardNode(
                v.NodeId, v.Datacenter, v.Address?.Endpoint.ToString() ?? "", v.IsLive, g?.State.ToString().ToLowerInvariant() ?? "unknown",
                g is { State: not NodeLiveness.Unknown } ? g.HeartbeatAge.TotalSeconds : null, g?.SuspectedBy ?? [],
                primaries.GetValueOrDefault(v.NodeId), replicas.GetValueOrDefault(v.NodeId),
                _options.RangeCount == 0 ? 0 : (double)primaries.GetValueOrDefault(v.NodeId) / _options.RangeCount,
                figures[i].Figures, figures[i].Error);
        }).ToArray();
        return new ClusterView(
            node.NodeId, clock.Time.GetUtcNow(), _options.RangeCount, n, _options.WriteQuorum, _options.ReadQuorum, nodes, arcs,
            Metrics.LatencyBuckets.Boundaries, orleansDashboard);
    }

    private async Task<(NodeFigures? Figures, string? Error)> FiguresOfAsync(string nodeId, SiloAddress? address, CancellationToken cancellationToken)
    {
        if (nodeId == node.NodeId)
        {
            return (local.Read(), null);
        }

        if (address is null)
        {
            return (null, "not live");
        }

        try
        {
            return (await remote.On(address).GetFigures(cancellationToken).WaitAsync(FiguresBound, clock.Time, cancellationToken), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, ex is TimeoutException ? $"no answer within {FiguresBound.TotalSeconds:0} s" : ex.Message);
        }
    }
}

/// <summary>The cluster as the dashboard shows it.</summary>
public sealed record ClusterView(
    string ObservedBy, DateTimeOffset At, int RangeCount, int ReplicationFactor, int WriteQuorum, int ReadQuorum,
    IReadOnlyList<DashboardNode> Nodes, IReadOnlyList<RingArc> Ring, IReadOnlyList<double> LatencyBuckets, bool OrleansDashboard);

/// <summary>One node on the dashboard.</summary>
public sealed record DashboardNode(
    string Id, string Datacenter, string Address, bool Live, string Gossip, double? HeartbeatAgeSeconds, IReadOnlyList<string> SuspectedBy,
    int PrimaryRanges, int ReplicaRanges, double Share, NodeFigures? Figures, string? FiguresError);

/// <summary>Ranges [Start, End) whose first replica is <see cref="Node"/>: one arc of the drawn ring.</summary>
public sealed record RingArc(string Node, int Start, int End);
