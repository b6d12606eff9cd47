// Delivers this node's hints: every HintDeliveryInterval (on the GrainKV clock) it reads a batch of stored
// hints and sends each one whose node is live to that node's replica, deleting the hint once the replica
// acknowledged it. A hint whose node is down, or whose delivery fails, stays for a later round. Logs one
// line per node and round that delivered something, never one per hint. Versions older than the tombstone
// grace period are not delivered (HintStore.Fresh; counted as grainkv.hints.versions_expired).

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Handoff;

/// <summary>The periodic hint deliverer of this node.</summary>
public sealed partial class HintDelivery(
    HintStore hints, ReplicaRouter router, RingService ring, IOptions<GrainKvNodeOptions> options, GrainKvClock clock, GrainKvMetrics metrics,
    ILogger<HintDelivery> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private const int BatchSize = 512;
    private readonly GrainKvNodeOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private int _running;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(HintDelivery), ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>One delivery round now; returns the number of hints delivered. Rounds never overlap (a round
    /// asked for while one runs returns 0).</summary>
    public async Task<int> DeliverAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return 0;
        }

        try
        {
            var view = ring.Current;
            var delivered = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var hint in hints.Take(BatchSize))
            {
                if (_stopping.IsCancellationRequested)
                {
                    break;
                }

                if (!view.IsLive(hint.Node))
                {
                    continue;
                }

                var fresh = hints.Fresh(hint.Versions);
                metrics.HintVersionsExpired.Add(hint.Versions.Length - fresh.Length);
                try
                {
                    if (fresh.Length > 0)
                    {
                        await router.Apply(hint.Node, hint.Range, hint.Key, fresh).WaitAsync(_options.RequestTimeout, clock.Time);
                    }
                }
                catch (Exception ex) when (ex is not ObjectDisposedException)
                {
                    continue;
                }

                if (await hints.RemoveAsync(hint) && fresh.Length > 0)
                {
                    metrics.HintsDelivered.Add(1);
                    delivered[hint.Node] = delivered.GetValueOrDefault(hint.Node) + 1;
                }
            }

            foreach (var (node, count) in delivered)
            {
                LogDelivered(count, node, hints.Count);
            }

            return delivered.Values.Sum();
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private Task Start(CancellationToken cancellationToken)
    {
        _timer = clock.Time.CreateTimer(_ => _ = RoundAsync(), null, _options.HintDeliveryInterval, _options.HintDeliveryInterval);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    private async Task RoundAsync()
    {
        try
        {
            await DeliverAsync();
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            LogRoundFailed(ex);
        }
        catch (Exception)
        {
            // Stopping: the engine may already be closed.
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Delivered {Count} hint(s) to node {NodeId}; {Pending} hint(s) pending on this node")]
    private partial void LogDelivered(int count, string nodeId, long pending);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "A hint delivery round failed")]
    private partial void LogRoundFailed(Exception exception);
}
