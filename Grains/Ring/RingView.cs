// An immutable view of the ring at one moment: which nodes hold which ranges now (the current ring), which will
// hold them once the transfers under way complete (the future ring: joining nodes in, leaving ones out), and
// which nodes answer. Reads use the current ring only; writes go to the current ring and, as extra copies, to the
// range's pending replicas (future owners not yet current), so a joining node receives new writes while it
// streams the old ones.

using GrainKV.Grains.Membership;
using Orleans.Runtime;

namespace GrainKV.Grains.Ring;

/// <summary>The ring and node liveness as this silo sees them now.</summary>
public sealed class RingView
{
    private static readonly IReadOnlyDictionary<string, NodeView> NoNodes = new Dictionary<string, NodeView>(StringComparer.Ordinal);
    private readonly HashRing? _ring;
    private readonly HashRing? _future;
    private readonly string[]?[] _defaultLists;
    private readonly string[]?[] _defaultStandbys;
    private readonly string[]?[] _defaultPending;

    /// <param name="nodes">The current ring's nodes (Normal, Leaving, Removing).</param>
    /// <param name="options">Ring settings.</param>
    /// <param name="defaultReplicas">The cluster's N.</param>
    /// <param name="joining">Nodes joining (on the future ring only).</param>
    /// <param name="leaving">Current nodes being decommissioned or removed (not on the future ring).</param>
    public RingView(
        IReadOnlyDictionary<string, NodeView> nodes, RingOptions options, int defaultReplicas,
        IReadOnlyDictionary<string, NodeView>? joining = null, IReadOnlySet<string>? leaving = null)
    {
        Nodes = nodes;
        Joining = joining ?? NoNodes;
        Leaving = leaving ?? new HashSet<string>(StringComparer.Ordinal);
        DefaultReplicas = defaultReplicas;
        _ring = nodes.Count == 0 ? null : new HashRing(nodes.Values.Select(n => new RingNode(n.NodeId, n.Datacenter)), options);
        HasTransition = Joining.Count > 0 || Leaving.Count > 0;
        if (HasTransition)
        {
            var future = nodes.Values.Where(n => !Leaving.Contains(n.NodeId)).Concat(Joining.Values).ToArray();
            _future = future.Length == 0 ? null : new HashRing(future.Select(n => new RingNode(n.NodeId, n.Datacenter)), options);
        }
        else
        {
            _future = _ring;
        }

        var ranges = options.RangeCount;
        _defaultLists = new string[]?[ranges];
        _defaultStandbys = new string[]?[ranges];
        _defaultPending = new string[]?[ranges];
    }

    /// <summary>The ring record this view was built from (null for views built by hand).</summary>
    public RingRecord? Record { get; init; }

    /// <summary>Nodes on the current ring, by node id.</summary>
    public IReadOnlyDictionary<string, NodeView> Nodes { get; }

    /// <summary>Nodes joining: on the future ring, not yet on the current one.</summary>
    public IReadOnlyDictionary<string, NodeView> Joining { get; }

    /// <summary>Current nodes being decommissioned or removed.</summary>
    public IReadOnlySet<string> Leaving { get; }

    /// <summary>True while a node joins, leaves or is removed.</summary>
    public bool HasTransition { get; }

    /// <summary>The cluster's default replica count (N).</summary>
    public int DefaultReplicas { get; }

    /// <summary>The first <paramref name="replicas"/> distinct nodes of the current ring clockwise from the range (fewer if the ring is smaller).</summary>
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

    /// <summary>The range's owners on the future ring (the current ones when nothing is in transition).</summary>
    public IReadOnlyList<string> FuturePreferenceList(int range, int replicas) =>
        !HasTransition ? PreferenceList(range, replicas) : _future is null ? [] : _future.PreferenceList(range, replicas).Select(n => n.NodeId).ToArray();

    /// <summary>The range's future owners that are not current owners: they receive copies of its writes while they
    /// stream its data, and count toward no quorum.</summary>
    public IReadOnlyList<string> PendingReplicas(int range, int replicas)
    {
        if (!HasTransition)
        {
            return [];
        }

        string[] Compute()
        {
            var current = PreferenceList(range, replicas);
            return FuturePreferenceList(range, replicas).Where(n => !current.Contains(n)).ToArray();
        }

        return replicas != DefaultReplicas ? Compute() : _defaultPending[range] ??= Compute();
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

    /// <summary>True if the node is on the ring (current or joining) and answering.</summary>
    public bool IsLive(string nodeId) => Find(nodeId) is { IsLive: true };

    /// <summary>The datacenter label of a node on the ring (empty when it has none or is not on the ring).</summary>
    public string DatacenterOf(string nodeId) => Nodes.TryGetValue(nodeId, out var node) ? node.Datacenter : "";

    /// <summary>The silo address of a live node, or null.</summary>
    public SiloAddress? AddressOfLive(string nodeId) => Find(nodeId) is { IsLive: true } node ? node.Address : null;

    /// <summary>The last known silo address of a node on the ring (current or joining), live or not; null if none.</summary>
    public SiloAddress? AddressOf(string nodeId) => Find(nodeId)?.Address;

    private NodeView? Find(string nodeId) =>
        Nodes.TryGetValue(nodeId, out var node) ? node : Joining.TryGetValue(nodeId, out var joining) ? joining : null;
}
