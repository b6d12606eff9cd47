// The liveness view coordinators consult: this node's GossipTable behind a lock, with each node's state
// (up / suspect / down) published as an immutable map after every change, so IsDown is a lock-free read. A
// state change bumps Version and raises Changed; entering or leaving Down logs one Information line. The
// agent (GossipAgent) ticks it and merges what peers send; the gossip grain merges what peers push.

using Microsoft.Extensions.Logging;

namespace GrainKV.Grains.Gossip;

/// <summary>A node's state changed, as this node sees it.</summary>
public sealed record GossipStateChange(string NodeId, NodeLiveness Previous, NodeLiveness Current, IReadOnlyList<string> SuspectedBy, long Version);

/// <summary>The table as <c>grainkv status</c> shows it.</summary>
public sealed record GossipSnapshot(string Self, long Version, int Quorum, IReadOnlyList<GossipNodeStatus> Nodes);

/// <summary>This node's gossip view of which nodes answer now.</summary>
public sealed partial class GossipLiveness
{
    private readonly GossipTable _table;
    private readonly TimeProvider _time;
    private readonly ILogger<GossipLiveness> _logger;
    private readonly Lock _lock = new();
    private volatile IReadOnlyDictionary<string, NodeLiveness> _states;
    private long _version;

    /// <summary>The view of node <paramref name="nodeId"/> (its silo name), started with <paramref name="generation"/>,
    /// which must be larger than that of any earlier start of the node.</summary>
    public GossipLiveness(string nodeId, long generation, GossipOptions options, TimeProvider time, ILogger<GossipLiveness> logger)
    {
        _time = time;
        _logger = logger;
        _table = new GossipTable(nodeId, generation, options.SuspectTimeout, time.GetUtcNow());
        _states = _table.States();
    }

    /// <summary>This node's id.</summary>
    public string NodeId => _table.Self;

    /// <summary>Bumped on every state change of any node.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Raised after a node's state changed, on the thread that changed it (the agent's timer or an incoming
    /// exchange), outside the table's lock; keep handlers short. Handlers racing on two threads may see changes out
    /// of order: compare <see cref="GossipStateChange.Version"/>, or re-read <see cref="IsDown"/>.</summary>
    public event Action<GossipStateChange>? Changed;

    /// <summary>True only if gossip sees <paramref name="nodeId"/> down (suspected by the quorum). Unknown nodes are not down.</summary>
    public bool IsDown(string nodeId) => StateOf(nodeId) == NodeLiveness.Down;

    /// <summary>The node's state as seen here (<see cref="NodeLiveness.Unknown"/> if never heard of).</summary>
    public NodeLiveness StateOf(string nodeId) => _states.GetValueOrDefault(nodeId, NodeLiveness.Unknown);

    /// <summary>Every node's state, heartbeat age and suspecters.</summary>
    public GossipSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new GossipSnapshot(_table.Self, Version, _table.Quorum, _table.Statuses(_time.GetUtcNow()));
        }
    }

    /// <summary>What this node gossips: its table's digest.</summary>
    public GossipEntry[] Digest()
    {
        lock (_lock)
        {
            return _table.Digest();
        }
    }

    /// <summary>One period: names the cluster's current members (so silent ones get suspected), bumps this
    /// node's heartbeat and suspects silent nodes.</summary>
    public void Tick(IEnumerable<string> members) => Update(table =>
    {
        var now = _time.GetUtcNow();
        table.Know(members, now);
        table.Tick(now);
    });

    /// <summary>Merges a peer's table into this one.</summary>
    public void Merge(GossipEntry[] received) => Update(table => table.Merge(received, _time.GetUtcNow()));

    private void Update(Action<GossipTable> mutate)
    {
        List<GossipStateChange>? changes = null;
        lock (_lock)
        {
            mutate(_table);
            var before = _states;
            var after = _table.States();
            foreach (var (node, state) in after)
            {
                var previous = before.GetValueOrDefault(node, NodeLiveness.Unknown);
                if (previous != state)
                {
                    var version = Interlocked.Increment(ref _version);
                    var suspecters = _table.Statuses(_time.GetUtcNow()).First(s => s.NodeId == node).SuspectedBy;
                    (changes ??= []).Add(new GossipStateChange(node, previous, state, suspecters, version));
                }
            }

            if (changes is not null)
            {
                _states = after;
            }
        }

        if (changes is null)
        {
            return;
        }

        foreach (var change in changes)
        {
            if (change.Current == NodeLiveness.Down)
            {
                LogDown(change.NodeId, string.Join(", ", change.SuspectedBy));
            }
            else if (change.Previous == NodeLiveness.Down)
            {
                LogUp(change.NodeId, change.Current);
            }
            else
            {
                LogStateChanged(change.NodeId, change.Previous, change.Current);
            }

            try
            {
                Changed?.Invoke(change);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A subscriber's failure must not break gossip (this runs on the agent's timer or in an exchange).
                LogSubscriberFailed(ex, change.NodeId);
            }
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Gossip: node {NodeId} is down (suspected by {Suspecters})")]
    private partial void LogDown(string nodeId, string suspecters);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Gossip: node {NodeId} is no longer down (now {State})")]
    private partial void LogUp(string nodeId, NodeLiveness state);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Gossip: a Changed subscriber failed on a state change of node {NodeId}")]
    private partial void LogSubscriberFailed(Exception exception, string nodeId);

    [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Gossip: node {NodeId} {Previous} -> {Current}")]
    private partial void LogStateChanged(string nodeId, NodeLiveness previous, NodeLiveness current);
}
