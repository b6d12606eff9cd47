// This silo's gossip agent: every period (a timer on the GrainKV clock) it names the active members to the
// liveness table, bumps this node's heartbeat, and exchanges tables (push-pull) with Fanout random active
// peers through their gossip services (addressed by silo, no grain directory). An exchange is bounded by a cancellation after ExchangeTimeout, and a
// peer with an exchange still in flight is skipped, so calls to a dead node never pile up. A failed
// exchange is not an error: silence is what gossip measures. Logs nothing per exchange.

using System.Collections.Concurrent;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GrainKV.Grains.Gossip;

/// <summary>Drives this node's <see cref="GossipLiveness"/> and gossips with peers.</summary>
public sealed partial class GossipAgent(
    GossipLiveness liveness,
    GossipFaults faults,
    IClusterMembershipService membership,
    GossipServiceClient peers,
    IOptions<GossipOptions> options,
    GrainKvClock clock,
    ILogger<GossipAgent> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly GossipOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _roundLock = new();
    private readonly ConcurrentDictionary<string, PeerCounts> _counts = new(StringComparer.Ordinal);
    private ITimer? _timer;

    /// <summary>Peers with an exchange in flight now (at most one each).</summary>
    public int ExchangesInFlight => _inFlight.Count;

    /// <summary>Exchanges with <paramref name="peer"/> since start: those that returned its table, and those that
    /// failed, were dropped by a fault rule or ran out of time.</summary>
    public (long Completed, long Failed) ExchangesWith(string peer) =>
        _counts.TryGetValue(peer, out var counts) ? (Interlocked.Read(ref counts.Completed), Interlocked.Read(ref counts.Failed)) : (0, 0);

    /// <summary>True while an exchange with <paramref name="peer"/> is in flight.</summary>
    public bool IsExchanging(string peer) => _inFlight.ContainsKey(peer);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GossipAgent), ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>One gossip round now (the timer calls it each period).</summary>
    public void Round()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        List<(string Node, SiloAddress Silo)> chosen;
        lock (_roundLock)
        {
            var active = membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active && !string.IsNullOrEmpty(m.Name) && m.Name != liveness.NodeId)
                .GroupBy(m => m.Name, StringComparer.Ordinal)
                .Select(g => (Node: g.Key, Silo: g.MaxBy(m => m.SiloAddress.Generation)!.SiloAddress))
                .ToArray();
            liveness.Tick(active.Select(p => p.Node));
            Random.Shared.Shuffle(active);
            chosen = [];
            foreach (var peer in active)
            {
                if (chosen.Count == _options.Fanout)
                {
                    break;
                }

                if (_inFlight.TryAdd(peer.Node, 0))
                {
                    chosen.Add(peer);
                }
            }
        }

        foreach (var (node, silo) in chosen)
        {
            _ = ExchangeAsync(node, silo);
        }
    }

    private async Task ExchangeAsync(string peer, SiloAddress silo)
    {
        var counts = _counts.GetOrAdd(peer, static _ => new PeerCounts());
        try
        {
            if (faults.Drops(peer))
            {
                Interlocked.Increment(ref counts.Failed);
                return;
            }

            using var timeout = new CancellationTokenSource(_options.EffectiveExchangeTimeout, clock.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            var reply = await peers.On(silo).Exchange(liveness.NodeId, liveness.Digest(), linked.Token);
            if (faults.Drops(peer))
            {
                Interlocked.Increment(ref counts.Failed);
                return;
            }

            liveness.Merge(reply);
            Interlocked.Increment(ref counts.Completed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failed or timed-out exchange: the peer's silence is what the table measures.
            Interlocked.Increment(ref counts.Failed);
        }
        finally
        {
            _inFlight.TryRemove(peer, out _);
        }
    }

    private void TimerRound()
    {
        try
        {
            Round();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Never let a timer callback throw (it would end the process); the next period tries again.
            LogRoundFailed(ex);
        }
    }

    private Task Start(CancellationToken cancellationToken)
    {
        _timer = clock.Time.CreateTimer(_ => TimerRound(), null, _options.Period, _options.Period);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    private sealed class PeerCounts
    {
        public long Completed;
        public long Failed;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "A gossip round failed")]
    private partial void LogRoundFailed(Exception exception);
}
