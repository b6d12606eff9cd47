// Makes sure every range has its exchange reminder: when the silo becomes active, and after each ring change,
// this node asks the AntiEntropyGrain of every range it is the primary of (first of the preference list) to
// register its reminder if it has none. Registration is idempotent and the reminder lives in the reminder
// service, so a range whose primary changes keeps one reminder; the node remembers which ranges it already
// scheduled, so a ring change costs a grain call only for ranges new to it. Every ExchangePeriod (at least a
// minute) it forgets and checks all its ranges again, which re-registers reminders a lost reminder table (the
// in-memory one dies with its silo) no longer has. Runs in the background: a start never waits for it.

using GrainKV.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>Registers the exchange reminders of the ranges this node is the primary of.</summary>
public sealed partial class ExchangeScheduler(
    RingService ring, IGrainFactory grains, NodeIdentity node, IOptions<GrainKvNodeOptions> options, GrainKvClock clock, ILogger<ExchangeScheduler> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly GrainKvNodeOptions _options = options.Value;
    private ITimer? _recheck;
    private readonly HashSet<int> _scheduled = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _pass = new(1, 1);

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (_options.AntiEntropy.AutomaticExchanges)
        {
            lifecycle.Subscribe(nameof(ExchangeScheduler), ServiceLifecycleStage.Active, Start, Stop);
        }
    }

    /// <summary>Schedules the ranges this node is the primary of and has not scheduled yet; returns how many.</summary>
    public async Task<int> ScheduleAsync()
    {
        await _pass.WaitAsync(_stopping.Token);
        try
        {
            var view = ring.Current;
            if (view.Nodes.Count < 2)
            {
                // One node has nothing to exchange with; the ring change that adds a second schedules its ranges.
                return 0;
            }

            int[] ranges;
            lock (_scheduled)
            {
                ranges = Enumerable.Range(0, _options.RangeCount)
                    .Where(r => !_scheduled.Contains(r) && view.PreferenceList(r, _options.ReplicationFactor) is [var primary, ..] && primary == node.NodeId)
                    .ToArray();
            }

            await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = _stopping.Token }, async (range, token) =>
            {
                await grains.GetGrain<IAntiEntropyGrain>(range).Schedule(token);
                lock (_scheduled)
                {
                    _scheduled.Add(range);
                }
            });
            return ranges.Length;
        }
        finally
        {
            _pass.Release();
        }
    }

    private Task Start(CancellationToken cancellationToken)
    {
        ring.Changed += OnRingChanged;
        _ = PassAsync();
        var every = TimeSpan.FromTicks(Math.Max(_options.AntiEntropy.ExchangePeriod.Ticks, TimeSpan.FromMinutes(1).Ticks));
        _recheck = clock.Time.CreateTimer(_ => Recheck(), null, every, every);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        ring.Changed -= OnRingChanged;
        _recheck?.Dispose();
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    private void OnRingChanged(RingView view) => _ = PassAsync();

    private void Recheck()
    {
        lock (_scheduled)
        {
            _scheduled.Clear();
        }

        _ = PassAsync();
    }

    private async Task PassAsync()
    {
        try
        {
            if (await ScheduleAsync() is var count and > 0)
            {
                LogScheduled(count, node.NodeId);
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogFailed(ex);
        }
    }

    public void Dispose()
    {
        _recheck?.Dispose();
        _stopping.Dispose();
        _pass.Dispose();
    }

    [LoggerMessage(EventId = 720, Level = LogLevel.Debug, Message = "Checked the anti-entropy reminders of {Count} range(s) whose primary is node {NodeId}")]
    private partial void LogScheduled(int count, string nodeId);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "Scheduling anti-entropy reminders failed; the next ring change retries")]
    private partial void LogFailed(Exception exception);
}
