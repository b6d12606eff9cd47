// The pure core of gossip liveness (R12): one node's table of heartbeats and suspicions, driven by an
// explicit clock value so tests run it on a fake clock. No Orleans, no threads, no I/O; not thread-safe
// (GossipLiveness guards it with a lock).
//
// The rules:
//  1. Heartbeats. Every node keeps, for each node it knows (itself included), the largest heartbeat it has
//     heard: (generation, counter), ordered generation first. A node picks a new, larger generation at every
//     start, so a restarted node's heartbeat beats everything its previous run sent. Beside it, each entry has
//     lastChanged: the local time at which that heartbeat last advanced here. lastChanged is never sent.
//  2. Tick (each period). The node bumps its own counter; then it suspects every other node whose heartbeat
//     has not advanced for Timeout. A suspicion is (suspecter, the suspected node's heartbeat as the
//     suspecter last heard it).
//  3. Suspicions travel in the gossip. A suspicion holds only while the suspected node's heartbeat is not
//     larger than the one it names: hearing a larger heartbeat (directly or from any peer) means the node is
//     alive, and every older suspicion of it is dropped, this node's own included.
//  4. Merge of a received table: per node, the larger heartbeat; the union of suspicions (per suspecter, the
//     one naming the larger heartbeat), minus those rule 3 drops. The gossiped part of a table is thus a
//     join: merge is commutative, associative and idempotent, so order and repetition of messages do not
//     matter.
//  5. State of a node, as seen here: Down when at least Quorum distinct nodes hold a valid suspicion of it,
//     where Quorum = 2, or 1 when the table knows at most two nodes (the only other node of a two-node
//     cluster); Suspect when some but fewer do; Up otherwise. So one false suspicion marks nothing down. A
//     node is never suspected by itself, and its own entry is always Up here (its next tick clears whatever
//     was said of it).
//  6. Nodes are learned from gossip or named from cluster membership (Know) at heartbeat (0, 0) with
//     lastChanged = now, so a member never heard from is suspected after Timeout. Entries are never removed:
//     the table is bounded by the node ids ever seen, and a node gone for good simply stays Down.
//
// Consequence of rule 5 worth knowing: a node left alone (every other node silent) suspects them all but can
// mark none Down in a cluster of three or more, since no second node reports.

namespace GrainKV.Grains.Gossip;

/// <summary>A node's heartbeat: a generation (new at each start) and a counter within it.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.Heartbeat")]
public readonly record struct Heartbeat(
    [property: Id(0)] long Generation,
    [property: Id(1)] long Counter) : IComparable<Heartbeat>
{
    public int CompareTo(Heartbeat other) =>
        Generation != other.Generation ? Generation.CompareTo(other.Generation) : Counter.CompareTo(other.Counter);

    public static bool operator <(Heartbeat a, Heartbeat b) => a.CompareTo(b) < 0;

    public static bool operator >(Heartbeat a, Heartbeat b) => a.CompareTo(b) > 0;

    public static bool operator <=(Heartbeat a, Heartbeat b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Heartbeat a, Heartbeat b) => a.CompareTo(b) >= 0;

    public static Heartbeat Max(Heartbeat a, Heartbeat b) => a >= b ? a : b;

    public override string ToString() => $"{Generation}:{Counter}";
}

/// <summary><paramref name="Suspecter"/> suspects the entry's node, whose heartbeat it last heard as <paramref name="Heartbeat"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.Suspicion")]
public readonly record struct Suspicion(
    [property: Id(0)] string Suspecter,
    [property: Id(1)] Heartbeat Heartbeat);

/// <summary>One node's gossiped entry: its largest heartbeat heard and the suspicions of it (sorted by suspecter).</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.GossipEntry")]
public sealed record GossipEntry(
    [property: Id(0)] string Node,
    [property: Id(1)] Heartbeat Heartbeat,
    [property: Id(2)] Suspicion[] Suspicions);

/// <summary>A node's liveness as one node sees it.</summary>
public enum NodeLiveness
{
    /// <summary>Not in the table: never heard of.</summary>
    Unknown,

    /// <summary>No valid suspicion, or none that counts.</summary>
    Up,

    /// <summary>Suspected by fewer nodes than the quorum needs.</summary>
    Suspect,

    /// <summary>Suspected by at least the quorum of distinct nodes.</summary>
    Down,
}

/// <summary>One row of the table as <c>grainkv status</c> shows it.</summary>
public sealed record GossipNodeStatus(string NodeId, NodeLiveness State, Heartbeat Heartbeat, TimeSpan HeartbeatAge, IReadOnlyList<string> SuspectedBy);

/// <summary>One node's gossip table (see the rules at the top of the file).</summary>
public sealed class GossipTable
{
    private readonly Dictionary<string, Entry> _nodes = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout;

    /// <summary>A table for <paramref name="self"/> starting at generation <paramref name="generation"/> (larger at every start).</summary>
    public GossipTable(string self, long generation, TimeSpan timeout, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(self);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        Self = self;
        _timeout = timeout;
        _nodes[self] = new Entry(new Heartbeat(generation, 0), now);
    }

    /// <summary>This node's id.</summary>
    public string Self { get; }

    /// <summary>Number of nodes in the table, this one included.</summary>
    public int Count => _nodes.Count;

    /// <summary>Distinct suspecters needed for Down: 2, or 1 when the table knows at most two nodes.</summary>
    public int Quorum => _nodes.Count <= 2 ? 1 : 2;

    /// <summary>This node's own heartbeat.</summary>
    public Heartbeat OwnHeartbeat => _nodes[Self].Heartbeat;

    /// <summary>Adds the nodes not yet known at heartbeat (0, 0), heard "now" (rule 6). Returns true if any was new.</summary>
    public bool Know(IEnumerable<string> nodes, DateTimeOffset now)
    {
        var added = false;
        foreach (var node in nodes)
        {
            if (!string.IsNullOrEmpty(node) && !_nodes.ContainsKey(node))
            {
                _nodes[node] = new Entry(default, now);
                added = true;
            }
        }

        return added;
    }

    /// <summary>One period (rule 2): bumps this node's counter and suspects every node silent for the timeout.</summary>
    public void Tick(DateTimeOffset now)
    {
        var own = _nodes[Self];
        own.Advance(own.Heartbeat with { Counter = own.Heartbeat.Counter + 1 }, now);
        foreach (var (node, entry) in _nodes)
        {
            if (node != Self && now - entry.LastChanged >= _timeout)
            {
                entry.AddSuspicion(Self, entry.Heartbeat);
            }
        }
    }

    /// <summary>Merges a received table into this one (rule 4).</summary>
    public void Merge(IEnumerable<GossipEntry> received, DateTimeOffset now)
    {
        foreach (var remote in received)
        {
            if (string.IsNullOrEmpty(remote.Node))
            {
                continue;
            }

            if (!_nodes.TryGetValue(remote.Node, out var entry))
            {
                entry = new Entry(remote.Heartbeat, now);
                _nodes[remote.Node] = entry;
            }
            else if (remote.Heartbeat > entry.Heartbeat)
            {
                entry.Advance(remote.Heartbeat, now);
            }

            foreach (var suspicion in remote.Suspicions ?? [])
            {
                if (!string.IsNullOrEmpty(suspicion.Suspecter) && suspicion.Suspecter != remote.Node)
                {
                    entry.AddSuspicion(suspicion.Suspecter, suspicion.Heartbeat);
                }
            }
        }
    }

    /// <summary>The gossiped part of the table, sorted by node and suspecter: what is sent to peers.</summary>
    public GossipEntry[] Digest() =>
        _nodes.OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => new GossipEntry(n.Key, n.Value.Heartbeat, n.Value.Suspicions()))
            .ToArray();

    /// <summary>The state of <paramref name="node"/> as seen here (rule 5).</summary>
    public NodeLiveness StateOf(string node)
    {
        if (!_nodes.TryGetValue(node, out var entry))
        {
            return NodeLiveness.Unknown;
        }

        if (node == Self)
        {
            return NodeLiveness.Up;
        }

        var suspecters = entry.SuspecterCount;
        return suspecters >= Quorum ? NodeLiveness.Down : suspecters > 0 ? NodeLiveness.Suspect : NodeLiveness.Up;
    }

    /// <summary>Every node's state, heartbeat, heartbeat age and suspecters, sorted by node id.</summary>
    public IReadOnlyList<GossipNodeStatus> Statuses(DateTimeOffset now) =>
        _nodes.OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => new GossipNodeStatus(
                n.Key,
                StateOf(n.Key),
                n.Value.Heartbeat,
                now - n.Value.LastChanged,
                n.Key == Self ? [] : n.Value.Suspicions().Select(s => s.Suspecter).ToArray()))
            .ToArray();

    /// <summary>Every known node's state.</summary>
    public Dictionary<string, NodeLiveness> States() =>
        _nodes.Keys.ToDictionary(n => n, StateOf, StringComparer.Ordinal);

    private sealed class Entry(Heartbeat heartbeat, DateTimeOffset lastChanged)
    {
        private readonly Dictionary<string, Heartbeat> _suspicions = new(StringComparer.Ordinal);

        public Heartbeat Heartbeat { get; private set; } = heartbeat;

        public DateTimeOffset LastChanged { get; private set; } = lastChanged;

        public int SuspecterCount => _suspicions.Count;

        /// <summary>A larger heartbeat was heard: the node is alive; older suspicions no longer hold (rule 3).</summary>
        public void Advance(Heartbeat heartbeat, DateTimeOffset now)
        {
            Heartbeat = heartbeat;
            LastChanged = now;
            foreach (var (suspecter, at) in _suspicions.ToArray())
            {
                if (at < heartbeat)
                {
                    _suspicions.Remove(suspecter);
                }
            }
        }

        public void AddSuspicion(string suspecter, Heartbeat at)
        {
            // A suspicion of an older heartbeat than the one known here is stale (rule 3).
            if (at < Heartbeat)
            {
                return;
            }

            _suspicions[suspecter] = _suspicions.TryGetValue(suspecter, out var held) ? Heartbeat.Max(held, at) : at;
        }

        public Suspicion[] Suspicions() =>
            _suspicions.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new Suspicion(s.Key, s.Value)).ToArray();
    }
}
