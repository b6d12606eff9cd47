// Keeps this silo's view of the ring current: who is on the ring and in which state comes from the ring record
// (RingMembership); where each node is and whether it answers, from Orleans membership (MembershipTracker) and
// gossip. The RingView is rebuilt when any of them changes.

using GrainKV.Grains.Gossip;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Ring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace GrainKV.Grains.Membership;

/// <summary>The silo's current <see cref="RingView"/>.</summary>
public sealed partial class RingService : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Silo metadata key carrying a node's datacenter label.</summary>
    public const string DatacenterMetadataKey = "grainkv.datacenter";

    private readonly IClusterMembershipService _membership;
    private readonly IServiceProvider _services;
    private readonly GrainKvNodeOptions _options;
    private readonly RingOptions _ringOptions;
    private readonly ILogger<RingService> _logger;
    private readonly MembershipTracker _tracker;
    private readonly GossipLiveness _gossip;
    private readonly RingMembership _record;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _followLoop = Task.CompletedTask;
    private volatile RingView _current;

    public RingService(
        IClusterMembershipService membership,
        IServiceProvider services,
        IOptions<GrainKvNodeOptions> options,
        GossipLiveness gossip,
        RingMembership record,
        ILogger<RingService> logger)
    {
        _record = record;
        _membership = membership;
        _gossip = gossip;
        _services = services;
        _options = options.Value;
        _ringOptions = new RingOptions
        {
            RangeCount = _options.RangeCount,
            VirtualNodes = _options.VirtualNodes,
            ReplicationFactor = _options.ReplicationFactor,
            ReplicasPerDatacenter = DatacenterReplication.Parse(_options.DatacenterReplication),
        };
        _logger = logger;
        _tracker = new MembershipTracker();
        _current = new RingView(new Dictionary<string, NodeView>(), _ringOptions, _options.ReplicationFactor);

        // Gossip notices a silent node in seconds, Orleans membership in tens of seconds: a node is live only
        // while membership has it active and gossip does not hold it down.
        gossip.Changed += change =>
        {
            if (change.Current == NodeLiveness.Down || change.Previous == NodeLiveness.Down)
            {
                Rebuild(force: true);
            }
        };
        record.Changed += _ => Rebuild(force: true);
    }

    /// <summary>The ring as of the latest membership change.</summary>
    public RingView Current => _current;

    /// <summary>Raised (on a thread-pool thread) after <see cref="Current"/> changed.</summary>
    public event Action<RingView>? Changed;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RingService), ServiceLifecycleStage.BecomeActive, StartAsync, StopAsync);

    /// <summary>Re-reads membership now (also used by tests after stopping or starting silos).</summary>
    public void Refresh() => Observe(_membership.CurrentSnapshot);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        Refresh();
        _followLoop = Task.Run(FollowAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        try
        {
            await _followLoop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FollowAsync()
    {
        try
        {
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(_stopping.Token))
            {
                Observe(snapshot);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private void Observe(ClusterMembershipSnapshot snapshot)
    {
        var metadata = _services.GetService<ISiloMetadataCache>();
        var members = snapshot.Members.Values
            .Where(m => !string.IsNullOrEmpty(m.Name))
            .Select(m => new MemberObservation(m.Name, m.SiloAddress, m.Status, DatacenterOf(metadata, m.SiloAddress)))
            .ToList();
        bool observed;
        lock (_lock)
        {
            observed = _tracker.Observe(members);
        }

        Rebuild(observed);
    }

    /// <summary>Builds a new view from ring membership and gossip liveness (when <paramref name="force"/>, or when gossip
    /// changed a node's liveness since the last view).</summary>
    private void Rebuild(bool force)
    {
        RingView? changed = null;
        lock (_lock)
        {
            var record = _record.Record;
            NodeView ViewOf(RingEntry entry) => _tracker.Known.TryGetValue(entry.NodeId, out var known)
                ? known with { Datacenter = entry.Datacenter, IsLive = known.IsLive && !_gossip.IsDown(entry.NodeId) }
                : new NodeView(entry.NodeId, entry.Datacenter, null, false);
            var nodes = record.Entries.Where(e => e.IsCurrent).ToDictionary(e => e.NodeId, ViewOf, StringComparer.Ordinal);
            var joining = record.Entries.Where(e => e.State == RingState.Joining).ToDictionary(e => e.NodeId, ViewOf, StringComparer.Ordinal);
            if (force || !ReferenceEquals(record, _current.Record) || nodes.Any(kv => _current.IsLive(kv.Key) != kv.Value.IsLive) || joining.Any(kv => _current.IsLive(kv.Key) != kv.Value.IsLive)
                || nodes.Count != _current.Nodes.Count || joining.Count != _current.Joining.Count)
            {
                var leaving = record.Entries.Where(e => e.State is RingState.Leaving or RingState.Removing).Select(e => e.NodeId).ToHashSet(StringComparer.Ordinal);
                changed = new RingView(nodes, _ringOptions, _options.ReplicationFactor, joining, leaving) { Record = record };
                _current = changed;
            }
        }

        if (changed is not null)
        {
            LogRingChanged(changed.Nodes.Count, changed.Nodes.Values.Count(n => n.IsLive), _record.Record.ToString());
            if (_ringOptions.ReplicasPerDatacenter is { } counts
                && DatacenterReplication.Unplaced(counts, changed.Nodes.Values.Select(n => (n.NodeId, n.Datacenter))) is { Count: > 0 } unplaced)
            {
                LogUnplacedNodes(string.Join(", ", unplaced), DatacenterReplication.Format(counts));
            }

            Changed?.Invoke(changed);
        }
    }

    private static string DatacenterOf(ISiloMetadataCache? metadata, SiloAddress address) =>
        metadata?.GetSiloMetadata(address).Metadata.TryGetValue(DatacenterMetadataKey, out var datacenter) == true ? datacenter : "";

    public void Dispose()
    {
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Ring changed: {Nodes} nodes ({Live} live): {NodeIds}")]
    private partial void LogRingChanged(int nodes, int live, string nodeIds);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning,
        Message = "Nodes {Nodes} carry datacenter labels without replicas in GrainKV:DatacenterReplication ({Counts}); they hold no replica, only hinted copies as standbys. Is their setting the same as this node's?")]
    private partial void LogUnplacedNodes(string nodes, string counts);
}
