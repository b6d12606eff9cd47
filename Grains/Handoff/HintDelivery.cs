// Delivers this node's hints: every HintDeliveryInterval (on the GrainKV clock) it reads batches of stored
// hints and sends each one whose node is live to that node's replica (HintDeliveryConcurrency at a time),
// deleting the hint once the replica acknowledged it. A hint whose node is down, or whose delivery fails, stays
// for a later round. Logs one line per node and round that delivered something, never one per hint. Versions
// older than the tombstone grace period are not delivered (HintStore.Fresh; counted as
// grainkv.hints.versions_expired).

using System.Collections.Concurrent;
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

    /// <summary>One delivery round now; returns the number of hints delivered. A round offers batch after batch,
    /// HintDeliveryConcurrency hints at a time, while whole batches are delivered (so a node back from a long absence
    /// gets its hints at the speed it takes them), and ends at a batch with a hint left undelivered. Rounds never
    /// overlap (a round asked for while one runs returns 0).</summary>
    public async Task<int> DeliverAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return 0;
        }

        try
        {
            var delivered = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.HintDeliveryConcurrency, CancellationToken = _stopping.Token };
            while (!_stopping.IsCancellationRequested)
            {
                var view = ring.Current;
                var batch = hints.Take(BatchSize);
                var inBatch = 0;
                await Parallel.ForEachAsync(batch.Where(h => view.IsLive(h.Node)), parallel, async (hint, _) =>
                {
                    if (await TryDeliverAsync(hint))
                    {
                        Interlocked.Increment(ref inBatch);
                        delivered.AddOrUpdate(hint.Node, 1, (_, n) => n + 1);
                    }
                });

                if (batch.Count < BatchSize || inBatch < batch.Count)
                {
                    break;
                }
            }

            foreach (var (node, count) in delivered)
            {
                LogDelivered(count, node, hints.Count);
            }

            return delivered.Values.Sum();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Sends one hint's fresh versions to its node and deletes the hint once the node acknowledged them (a
    /// hint with nothing fresh left is deleted unsent).</summary>
    private async Task<bool> TryDeliverAsync(Hint hint)
    {
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
            return false;
        }

        if (!await hints.RemoveAsync(hint))
        {
            return false;
        }

        if (fresh.Length > 0)
        {
            metrics.HintsDelivered.Add(1);
        }

        return true;
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
