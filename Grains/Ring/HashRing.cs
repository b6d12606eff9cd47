// The consistent-hash ring (R7, R8, R15): an immutable snapshot built from a set of nodes. Each node
// places V tokens on the 64-bit circle (TokenPlacement); the preference list of a key range is the
// first N distinct nodes met clockwise from the range's start token, spread over datacenters where
// nodes carry labels, or holding a configured number of replicas in each datacenter (PreferenceWalk). The top-N lists of all Q ranges are computed when the ring is
// built; the full ("extended") order used by sloppy quorum is computed per range on first use.
// The ring depends only on the set of nodes and the options, never on the order they are given in.

using System.Collections.ObjectModel;

namespace GrainKV.Grains.Ring;

/// <summary>An immutable consistent-hash ring with per-range preference lists.</summary>
public sealed class HashRing
{
    private readonly RingNode[] _nodes;
    private readonly Dictionary<string, int> _indexOf;
    private readonly ulong[] _tokens;
    private readonly int[] _owners;
    private readonly int[] _datacenterOf;
    private readonly int _datacenterCount;
    private readonly int[]? _quotas;
    private readonly ReadOnlyCollection<RingNode>[] _preference;
    private readonly ReadOnlyCollection<RingNode>?[] _extended;

    /// <param name="nodes">The members; node ids must be unique. Order does not matter.</param>
    /// <param name="options">Ring settings; <see cref="RingOptions"/> defaults when null.</param>
    public HashRing(IEnumerable<RingNode> nodes, RingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Options = options ?? new RingOptions();
        Options.Validate();
        KeySpace = new KeySpace(Options.RangeCount);

        _nodes = nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal).ToArray();
        _indexOf = new Dictionary<string, int>(_nodes.Length, StringComparer.Ordinal);
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (!_indexOf.TryAdd(_nodes[i].NodeId, i))
            {
                throw new ArgumentException($"Node id '{_nodes[i].NodeId}' appears more than once.", nameof(nodes));
            }
        }

        (_datacenterOf, _datacenterCount, _quotas) = NumberDatacenters(_nodes, Options);
        (_tokens, _owners) = PlaceTokens(_nodes, Options.VirtualNodes);
        _preference = ComputePreferenceLists();
        _extended = new ReadOnlyCollection<RingNode>?[KeySpace.RangeCount];
        Nodes = Array.AsReadOnly(_nodes);
    }

    /// <summary>A ring with no nodes: every preference list is empty.</summary>
    public static HashRing Empty(RingOptions? options = null) => new([], options);

    public RingOptions Options { get; }

    public KeySpace KeySpace { get; }

    /// <summary>The members, ordered by node id (ordinal).</summary>
    public IReadOnlyList<RingNode> Nodes { get; }


    /// <summary>The range holding <paramref name="key"/>.</summary>
    public int RangeOf(ReadOnlySpan<byte> key) => KeySpace.RangeOf(key);

    public bool Contains(string nodeId) => _indexOf.ContainsKey(nodeId);

    /// <summary>The replicas of <paramref name="range"/>: the first <see cref="RingOptions.ReplicationFactor"/> nodes of its preference order.</summary>
    public IReadOnlyList<RingNode> PreferenceList(int range) => _preference[CheckRange(range)];

    /// <summary>
    /// The first <paramref name="n"/> distinct nodes of the preference order of <paramref name="range"/>
    /// (fewer if the ring has fewer nodes). The first entry is the range's primary.
    /// </summary>
    public IReadOnlyList<RingNode> PreferenceList(int range, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var top = _preference[CheckRange(range)];
        if (n == top.Count)
        {
            return top;
        }

        var source = n < top.Count ? top : ExtendedPreferenceList(range);
        return n >= source.Count ? source : Array.AsReadOnly(source.Take(n).ToArray());
    }

    /// <summary>
    /// Every node in the preference order of <paramref name="range"/>: the top N, then the fallbacks a
    /// sloppy quorum takes in order when some of the top N are down.
    /// </summary>
    public IReadOnlyList<RingNode> ExtendedPreferenceList(int range)
    {
        CheckRange(range);
        var cached = Volatile.Read(ref _extended[range]);
        if (cached is not null)
        {
            return cached;
        }

        var computed = Array.AsReadOnly(Walk(range, _nodes.Length, NewWalk()));
        return Interlocked.CompareExchange(ref _extended[range], computed, null) ?? computed;
    }

    /// <summary>The ranges whose top-N preference list holds <paramref name="nodeId"/>, ascending.</summary>
    public IReadOnlyList<int> RangesOf(string nodeId)
    {
        var ranges = new List<int>();
        for (var r = 0; r < _preference.Length; r++)
        {
            foreach (var node in _preference[r])
            {
                if (node.NodeId == nodeId)
                {
                    ranges.Add(r);
                    break;
                }
            }
        }

        return ranges;
    }

    /// <summary>A ring with <paramref name="node"/> added (same options).</summary>
    public HashRing WithNode(RingNode node) => new(_nodes.Append(node), Options);

    /// <summary>A ring without the node named <paramref name="nodeId"/> (same options).</summary>
    public HashRing WithoutNode(string nodeId) => new(_nodes.Where(n => n.NodeId != nodeId), Options);

    public override string ToString() =>
        $"HashRing({_nodes.Length} nodes, {_datacenterCount} datacenters, Q={Options.RangeCount}, V={Options.VirtualNodes}, N={Options.ReplicationFactor})";

    private ReadOnlyCollection<RingNode>[] ComputePreferenceLists()
    {
        var lists = new ReadOnlyCollection<RingNode>[KeySpace.RangeCount];
        var walk = NewWalk();
        var n = Math.Min(Options.ReplicationFactor, _nodes.Length);
        for (var r = 0; r < lists.Length; r++)
        {
            lists[r] = Array.AsReadOnly(Walk(r, n, walk));
        }

        return lists;
    }

    private RingNode[] Walk(int range, int n, PreferenceWalk walk)
    {
        if (_nodes.Length == 0)
        {
            return [];
        }

        Span<int> picked = n <= 64 ? stackalloc int[n] : new int[n];
        var count = walk.Walk(walk.FirstTokenAtOrAfter(KeySpace.RangeStart(range)), picked);
        var result = new RingNode[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = _nodes[picked[i]];
        }

        return result;
    }

    private PreferenceWalk NewWalk() => new(_tokens, _owners, _datacenterOf, _datacenterCount, _quotas);

    private int CheckRange(int range) =>
        (uint)range < (uint)_preference.Length
            ? range
            : throw new ArgumentOutOfRangeException(nameof(range), range, $"A range is between 0 and {_preference.Length - 1}.");

    /// <summary>Numbers the datacenters of <paramref name="nodes"/> and, with replicas per datacenter, gives each number
    /// its count (0 for a label the counts do not name).</summary>
    private static (int[] DatacenterOf, int Count, int[]? Quotas) NumberDatacenters(RingNode[] nodes, RingOptions options)
    {
        var of = new int[nodes.Length];
        if (options.ReplicasPerDatacenter is null && options.Datacenters == DatacenterPlacement.Ignore)
        {
            return (of, nodes.Length == 0 ? 0 : 1, null);
        }

        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Length; i++)
        {
            if (!numbers.TryGetValue(nodes[i].Datacenter, out of[i]))
            {
                of[i] = numbers[nodes[i].Datacenter] = numbers.Count;
            }
        }

        if (options.ReplicasPerDatacenter is not { } counts)
        {
            return (of, numbers.Count, null);
        }

        var quotas = new int[numbers.Count];
        foreach (var (label, number) in numbers)
        {
            quotas[number] = counts.GetValueOrDefault(label);
        }

        return (of, numbers.Count, quotas);
    }

    private static (ulong[] Tokens, int[] Owners) PlaceTokens(RingNode[] nodes, int tokensPerNode)
    {
        var tokens = new ulong[nodes.Length * tokensPerNode];
        var owners = new int[tokens.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            TokenPlacement.TokensOf(nodes[i].NodeId, tokensPerNode).CopyTo(tokens, i * tokensPerNode);
            owners.AsSpan(i * tokensPerNode, tokensPerNode).Fill(i);
        }

        // Sorted by token; the sort is not stable, so runs of equal tokens (a 64-bit collision) are then
        // ordered by owner index (nodes are ordered by id), which keeps the ring deterministic.
        Array.Sort(tokens, owners);
        for (var start = 0; start < tokens.Length;)
        {
            var end = start + 1;
            while (end < tokens.Length && tokens[end] == tokens[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(owners, start, end - start);
            }

            start = end;
        }

        return (tokens, owners);
    }
}
