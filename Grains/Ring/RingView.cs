// An immutable view of the ring at one moment: which nodes hold which ranges and which nodes answer.

using GrainKV.Grains.Ring;
using Orleans.Runtime;
using GrainKV.Grains.Membership;

namespace GrainKV.Grains.Ring;

/// <summary>The ring and node liveness as this silo sees them now.</summary>
public sealed class RingView
{
    private readonly HashRing? _ring;
    private readonly string[]?[] _defaultLists;
    private readonly string[]?[] _defaultStandbys;

    public RingView(IReadOnlyDictionary<string, NodeView> nodes, RingOptions options, int defaultReplicas)
    {
        Nodes = nodes;
        DefaultReplicas = defaultReplicas;
        _ring = nodes.Count == 0 ? null : new HashRing(nodes.Values.Select(n => new RingNode(n.NodeId, n.Datacenter)), options);
        _defaultLists = new string[]?[_ring?.KeySpace.RangeCount ?? 0];
        _defaultStandbys = new string[]?[_ring?.KeySpace.RangeCount ?? 0];
    }

    /// <summary>Nodes on the ring, by node id.</summary>
    public IReadOnlyDictionary<string, NodeView> Nodes { get; }

    /// <summary>The cluster's default replica count (N).</summary>
    public int DefaultReplicas { get; }

    /// <summary>The first <paramref name="replicas"/> distinct nodes clockwise from the range (fewer if the ring is smaller).</summary>
    public IReadOnlyList<string> PreferenceList(int range, int replicas)
    {
        if (_ring is null)
        {
            return [];
        }

        if (replicas != DefaultReplicas)
        {
            return _ring.PreferenceList(range, replicas).Select(n => n.NodeId).ToArray();
        }

        // The list at the cluster's N is asked for by every request: computed once per range and view.
        return _defaultLists[range] ??= _ring.PreferenceList(range, replicas).Select(n => n.NodeId).ToArray();
    }

    /// <summary>The nodes met clockwise after the range's first <paramref name="replicas"/> (at most as many again): in
    /// sloppy mode they stand in, in this order, for replicas that are down.</summary>
    public IReadOnlyList<string> Standbys(int range, int replicas)
    {
        if (_ring is null)
        {
            return [];
        }

        string[] Compute() => _ring.PreferenceList(range, 2 * replicas).Skip(replicas).Select(n => n.NodeId).ToArray();
        return replicas != DefaultReplicas ? Compute() : _defaultStandbys[range] ??= Compute();
    }

    /// <summary>True if the node is on the ring and answering.</summary>
    public bool IsLive(string nodeId) => Nodes.TryGetValue(nodeId, out var node) && node.IsLive;

    /// <summary>The datacenter label of a node on the ring (empty when it has none or is not on the ring).</summary>
    public string DatacenterOf(string nodeId) => Nodes.TryGetValue(nodeId, out var node) ? node.Datacenter : "";

    /// <summary>The silo address of a live node, or null.</summary>
    public SiloAddress? AddressOfLive(string nodeId) => Nodes.TryGetValue(nodeId, out var node) && node.IsLive ? node.Address : null;

}
