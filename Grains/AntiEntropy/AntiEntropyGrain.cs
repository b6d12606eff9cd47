// The exchange of one range. A reminder (registered by ExchangeScheduler on the range's primary node) ticks every
// ExchangePeriod; each tick, or a call to ExchangeNow, compares the range's live preference-list replicas
// (RangeExchange) within the node's throttle, counts what moved (metrics, ledger) and logs a line when something
// was repaired. Exchanges of one range never overlap.

using GrainKV.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>Anti-entropy of one key range; key = the range.</summary>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class AntiEntropyGrain(
    RingService ring, ReplicaTreeServiceClient services, IOptions<GrainKvNodeOptions> options, ExchangeThrottle throttle, GrainKvMetrics metrics,
    ExchangeLedger ledger, GrainKvClock clock, ILogger<AntiEntropyGrain> logger) : Grain, IAntiEntropyGrain, IRemindable
{
    /// <summary>The name of a range's reminder.</summary>
    public const string ReminderName = "anti-entropy";

    private readonly GrainKvNodeOptions _options = options.Value;
    private Task<ExchangeResult>? _running;
    private ExchangeResult? _last;

    private int Range => (int)this.GetPrimaryKeyLong();

    public async Task<ExchangeResult> ExchangeNow(CancellationToken cancellationToken)
    {
        // Turns of a grain never run in parallel, so checking and setting _running between awaits is safe.
        while (_running is { } running)
        {
            try
            {
                await running;
            }
            catch (Exception)
            {
                // Its caller saw the failure.
            }

            if (ReferenceEquals(_running, running))
            {
                _running = null;
            }
        }

        var exchange = RunAsync(cancellationToken);
        _running = exchange;
        try
        {
            return await exchange;
        }
        finally
        {
            if (ReferenceEquals(_running, exchange))
            {
                _running = null;
            }
        }
    }

    public async Task Schedule(CancellationToken cancellationToken)
    {
        if (!_options.AntiEntropy.AutomaticExchanges || await this.GetReminder(ReminderName) is not null)
        {
            return;
        }

        var period = _options.AntiEntropy.ExchangePeriod;
        var due = period + (period * Range / _options.RangeCount);
        await this.RegisterOrUpdateReminder(ReminderName, due, period);
    }

    public Task<ExchangeResult?> LastExchange(CancellationToken cancellationToken) => Task.FromResult(_last);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        if (!_options.AntiEntropy.AutomaticExchanges)
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        try
        {
            await ExchangeNow(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogFailed(ex, Range);
        }
    }

    private async Task<ExchangeResult> RunAsync(CancellationToken cancellationToken)
    {
        var range = Range;
        var view = ring.Current;
        var list = view.PreferenceList(range, _options.ReplicationFactor);
        var live = list.Where(n => view.AddressOfLive(n) is not null).ToArray();
        if (live.Length < 2)
        {
            return new ExchangeResult(range, live, false, 0, 0, 0, 0, 0, 0, clock.Time.GetUtcNow())
            {
                Skipped = $"{live.Length} of {list.Count} replicas live",
            };
        }

        ExchangeTally tally;
        using (await throttle.EnterAsync(cancellationToken))
        {
            var replicas = live.Select(n => services.On(view.AddressOfLive(n)!)).ToArray();
            // Tombstones are purged only by an exchange of the whole preference list of a full ring.
            var complete = live.Length == list.Count && list.Count == Math.Min(_options.ReplicationFactor, view.Nodes.Count);
            var cutoff = complete ? clock.Time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.AntiEntropy.TombstoneGracePeriod.TotalMilliseconds : (long?)null;
            tally = await new RangeExchange(range, _options.AntiEntropy.Leaves, throttle).RunAsync(replicas, cancellationToken, cutoff);
        }

        var result = new ExchangeResult(
            range, live, live.Length == list.Count, tally.HashesCompared, tally.LeavesDiffering, tally.KeysDiffering, tally.KeysRepaired,
            tally.VersionSetsMoved, tally.BytesMoved, clock.Time.GetUtcNow())
        {
            TombstonesPurged = tally.TombstonesPurged,
        };
        metrics.ExchangesCompleted.Add(1);
        metrics.KeysRepaired.Add(tally.KeysRepaired);
        metrics.VersionSetsMoved.Add(tally.VersionSetsMoved);
        metrics.BytesMoved.Add(tally.BytesMoved);
        metrics.TombstonesPurged.Add(tally.TombstonesPurged);
        ledger.Record(result);
        _last = result;
        if (tally.KeysRepaired > 0)
        {
            LogRepaired(range, tally.KeysDiffering, tally.KeysRepaired, tally.BytesMoved, string.Join(",", live));
        }

        return result;
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Anti-entropy of range {Range}: {Differing} divergent key(s), {Repaired} copy(ies) repaired, {Bytes} bytes moved between {Nodes}")]
    private partial void LogRepaired(int range, int differing, int repaired, long bytes, string nodes);

    [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Anti-entropy of range {Range} failed")]
    private partial void LogFailed(Exception exception, int range);
}
