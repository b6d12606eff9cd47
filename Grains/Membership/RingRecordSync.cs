// Keeps the ring record the same on every silo. At start, before it decides anything, the node fetches the record
// from the active members (the first that answers is enough), then joins: a node absent from the record, or one
// that had left it (decommissioned or removed) and is started again, enters as Joining (a new generation after
// Left) and bootstraps (Streaming/). While running, every change this node makes or learns is pushed to every
// active member, and once per SyncInterval the record is exchanged with one random active member, so a silo that
// missed a push catches up. Records merge (RingRecord), so the order of exchanges does not matter.

using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GrainKV.Grains.Membership;

/// <summary>Exchanges the ring record with the other silos and makes this node join.</summary>
public sealed partial class RingRecordSync : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(5);
    private readonly RingMembership _membership;
    private readonly IClusterMembershipService _cluster;
    private readonly ILocalSiloDetails _silo;
    private readonly RingRecordServiceClient _peers;
    private readonly NodeIdentity _node;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<RingRecordSync> _logger;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private int _exchanging;

    public RingRecordSync(
        RingMembership membership, IClusterMembershipService cluster, ILocalSiloDetails silo, RingRecordServiceClient peers, NodeIdentity node,
        GrainKvClock clock, IOptions<GrainKvNodeOptions> options, ILogger<RingRecordSync> logger)
    {
        _membership = membership;
        _cluster = cluster;
        _silo = silo;
        _peers = peers;
        _node = node;
        _time = clock.Time;
        _interval = options.Value.Streaming.CheckInterval;
        _logger = logger;
        membership.Changed += changed => { _ = PublishAsync(); };
    }

    /// <summary>Completes once this node has learned the cluster's record and joined it (or found itself on it).</summary>
    public Task Joined => _joined.Task;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RingRecordSync), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var peer in Peers())
        {
            if (await TryExchangeAsync(peer, cancellationToken))
            {
                break;
            }
        }

        var self = _membership.Self;
        if (self is { State: RingState.Left } && _membership.LoadedFromDisk)
        {
            // Decommissioned or removed while it had this data: it must not serve it again (writes and deletes went on
            // without it). Started on an empty data directory, the same node id joins again as a new node.
            LogLeftForGood(_node.NodeId);
        }
        else if (self is null || self.State == RingState.Left)
        {
            var entry = new RingEntry(_node.NodeId, _node.Datacenter, self is null ? 0 : self.Generation + 1, RingState.Joining);
            LogJoining(_node.NodeId, entry.Generation);
            _membership.Merge(new RingRecord([entry]));
        }

        _joined.TrySetResult();
        _timer = _time.CreateTimer(_ => _ = ExchangeWithOneAsync(), null, _interval, _interval);
    }

    private Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Pushes this node's record to every active member (each exchange bounded); completes when all answered or failed.</summary>
    public async Task PublishAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await Task.WhenAll(Peers().Select(peer => TryExchangeAsync(peer, _stopping.Token)));
    }

    private async Task ExchangeWithOneAsync()
    {
        var peers = Peers();
        if (peers.Length == 0 || Interlocked.Exchange(ref _exchanging, 1) == 1)
        {
            return;
        }

        try
        {
            await TryExchangeAsync(peers[Random.Shared.Next(peers.Length)], _stopping.Token);
        }
        finally
        {
            Volatile.Write(ref _exchanging, 0);
        }
    }

    private async Task<bool> TryExchangeAsync(SiloAddress peer, CancellationToken cancellationToken)
    {
        try
        {
            var theirs = await _peers.On(peer).Exchange(_membership.Record, cancellationToken).WaitAsync(CallBound, _time, cancellationToken);
            _membership.Merge(theirs);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogExchangeFailed(peer.ToString(), ex.Message);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private SiloAddress[] Peers() => _cluster.CurrentSnapshot.Members.Values
        .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(_silo.SiloAddress) && !string.IsNullOrEmpty(m.Name))
        .Select(m => m.SiloAddress)
        .ToArray();

    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 232, Level = LogLevel.Information, Message = "Node {NodeId} joins the ring (generation {Generation}); it serves reads once it has streamed its ranges")]
    private partial void LogJoining(string nodeId, int generation);

    [LoggerMessage(EventId = 234, Level = LogLevel.Warning, Message = "Node {NodeId} has left the ring (decommissioned or removed) and serves no ranges; to join again, start it on an empty data directory")]
    private partial void LogLeftForGood(string nodeId);

    [LoggerMessage(EventId = 233, Level = LogLevel.Debug, Message = "Ring record exchange with {Peer} failed: {Reason}")]
    private partial void LogExchangeFailed(string peer, string reason);
}
