// Drives this node's part of every ring change, once per CheckInterval and at every ring change:
//
// 1. Receive: every range this node owns (now or on the future ring) and does not hold completely is pulled, in
//    ordered batches, from each live current replica of the range other than this node (all of them, so that a write
//    acknowledged by any W of the N is found), merged key by key with the replicas' version-set merge (so writes that
//    reach this node meanwhile are never lost), throttled (StreamThrottle). A source's cursor is saved after each batch
//    once the batch is durable, so a crash of this node resumes where it stopped; a source that dies is passed over
//    once gossip or membership sees it down (the other replicas cover it) and a source that fails while live is tried
//    again at the next check. The range is held once every source is done or down, and at least one is done (or the
//    range has no other replica at all: a new cluster's first nodes).
// 2. Join: a joining node that holds every range it will own moves itself to Normal (it then serves reads).
// 3. Leave: a leaving or removed node moves to Left once every node taking over its ranges holds them; the leaving
//    node itself decides that, or, when it is down, the live current node with the smallest id (TransitionCheck).
// 4. Clean up: keys of ranges this node owns on neither ring are deleted (RangeCleanup) — only after the transition
//    that took them away completed, which is when the new owners hold them.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Grains.Ring;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GrainKV.Grains.Streaming;

/// <summary>Streams the ranges this node must hold and completes the ring transitions it is responsible for.</summary>
public sealed partial class RangeReceiver : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(30);
    private const int HoldGroup = 32;
    private readonly RingService _ring;
    private readonly RingMembership _membership;
    private readonly RingRecordSync _sync;
    private readonly StreamProgress _progress;
    private readonly StreamThrottle _throttle;
    private readonly StreamServiceClient _peers;
    private readonly LocalReplicas _replicas;
    private readonly LocalStore _store;
    private readonly StreamingCounters _counters;
    private readonly RangeCleanup _cleanup;
    private readonly GrainKvNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RangeReceiver> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private int _running;
    private int _again;
    private int _pending;
    private int _streaming;
    private RingRecord? _published;

    public RangeReceiver(
        RingService ring, RingMembership membership, RingRecordSync sync, StreamProgress progress, StreamThrottle throttle, StreamServiceClient peers,
        LocalReplicas replicas, LocalStore store, StreamingCounters counters, RangeCleanup cleanup, IOptions<GrainKvNodeOptions> options, GrainKvClock clock,
        ILogger<RangeReceiver> logger)
    {
        _ring = ring;
        _membership = membership;
        _sync = sync;
        _progress = progress;
        _throttle = throttle;
        _peers = peers;
        _replicas = replicas;
        _store = store;
        _counters = counters;
        _cleanup = cleanup;
        _options = options.Value;
        _time = clock.Time;
        _logger = logger;
        membership.Changed += _ => Tick();
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RangeReceiver), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        var interval = _options.Streaming.CheckInterval;
        _timer = _time.CreateTimer(_ => Tick(), null, interval, interval);
        Tick();
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>This node's transfers as of now.</summary>
    public TransferStatus Status()
    {
        var self = _membership.Self;
        var owned = self is null || self.State == RingState.Left ? 0 : Ownership.Owned(_ring.Current, _membership.NodeId, _options.RangeCount).Count;
        return new TransferStatus(_membership.NodeId, (self?.State ?? RingState.Joining).ToString().ToLowerInvariant(), owned, Volatile.Read(ref _pending), Volatile.Read(ref _streaming))
        {
            KeysReceived = _counters.KeysReceived,
            BytesReceived = _counters.BytesReceived,
            KeysAdded = _counters.KeysAdded,
            KeysSent = _counters.KeysSent,
            BytesSent = _counters.BytesSent,
            KeysDropped = _counters.KeysDropped,
        };
    }

    /// <summary>Runs a check now (or right after the one under way).</summary>
    public void Tick()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        Volatile.Write(ref _again, 1);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                while (Interlocked.Exchange(ref _again, 0) == 1 && !_stopping.IsCancellationRequested)
                {
                    await RunOnceAsync(_stopping.Token);
                }
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                LogCheckFailed(ex);
            }
            catch (Exception)
            {
                // Stopping: the engine may be closed under a transfer.
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        });
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await _sync.Joined.WaitAsync(cancellationToken);
        var self = _membership.Self;
        if (self is null)
        {
            return;
        }

        var record = _membership.Record;
        var view = _ring.Current;
        var owned = self.State == RingState.Left ? [] : Ownership.Owned(view, self.NodeId, _options.RangeCount);
        var ownedSet = owned.ToHashSet();
        _progress.Release(Enumerable.Range(0, _options.RangeCount).Where(r => !ownedSet.Contains(r)));
        var needed = owned.Where(r => !_progress.Holds(r)).ToList();
        Volatile.Write(ref _pending, needed.Count);
        if (needed.Count > 0)
        {
            // Every coordinator must send this node the writes of the ranges it takes before it streams them.
            if (!ReferenceEquals(_published, record))
            {
                await _sync.PublishAsync();
                _published = record;
            }

            await ReceiveAsync(view, needed, cancellationToken);
            Volatile.Write(ref _pending, owned.Count(r => !_progress.Holds(r)));
        }

        if (self.State == RingState.Joining && Ownership.Owned(_ring.Current, self.NodeId, _options.RangeCount).All(_progress.Holds))
        {
            LogJoined(self.NodeId, owned.Count);
            _membership.Move(self.NodeId, RingState.Normal);
        }

        await TransitionCheck.CompleteLeavesAsync(_membership, _ring.Current, _progress, _peers, _options.RangeCount, _time, cancellationToken);
        await _cleanup.RunAsync(_membership, _ring.Current, cancellationToken);
    }

    private async Task ReceiveAsync(RingView view, List<int> needed, CancellationToken cancellationToken)
    {
        var self = _membership.NodeId;

        // One question per source first: the ranges it holds nothing of are done with it at once.
        var empty = new List<(int Range, string Source)>();
        foreach (var group in needed.SelectMany(r => view.PreferenceList(r, view.DefaultReplicas).Where(n => n != self).Select(n => (Range: r, Source: n)))
                     .Where(p => !_progress.Cursor(p.Range, p.Source).Done)
                     .GroupBy(p => p.Source, StringComparer.Ordinal))
        {
            if (view.AddressOfLive(group.Key) is not { } address)
            {
                continue;
            }

            try
            {
                var ranges = group.Select(p => p.Range).ToArray();
                var nonEmpty = (await _peers.On(address).NonEmpty(ranges, cancellationToken).WaitAsync(CallBound, _time, cancellationToken)).ToHashSet();
                empty.AddRange(ranges.Where(r => !nonEmpty.Contains(r)).Select(r => (r, group.Key)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSourceFailed(group.Key, -1, ex.Message);
            }
        }

        if (empty.Count > 0)
        {
            _progress.Finish(empty);
        }

        // Completed ranges are recorded as held in groups (one durable save each), once their keys are durable here.
        var complete = new List<int>();
        using var flushing = new SemaphoreSlim(1, 1);
        async Task FlushAsync(int atLeast)
        {
            await flushing.WaitAsync(cancellationToken);
            try
            {
                int[] ranges;
                lock (complete)
                {
                    if (complete.Count < atLeast || complete.Count == 0)
                    {
                        return;
                    }

                    ranges = [.. complete];
                    complete.Clear();
                }

                var engine = _store.Engine;
                await engine.WaitForLogAsync(engine.LogPosition, cancellationToken);
                _progress.HoldAll(ranges);
            }
            finally
            {
                flushing.Release();
            }
        }

        await Parallel.ForEachAsync(needed, new ParallelOptions { MaxDegreeOfParallelism = _options.Streaming.MaxConcurrentRanges, CancellationToken = cancellationToken }, async (range, token) =>
        {
            if (await ReceiveRangeAsync(view, range, token))
            {
                lock (complete)
                {
                    complete.Add(range);
                }

                await FlushAsync(HoldGroup);
            }
        });
        await FlushAsync(1);
    }

    /// <summary>Streams <paramref name="range"/> from each live source not done with; true when the range is complete.</summary>
    private async Task<bool> ReceiveRangeAsync(RingView view, int range, CancellationToken cancellationToken)
    {
        var sources = view.PreferenceList(range, view.DefaultReplicas).Where(n => n != _membership.NodeId).ToList();
        var done = 0;
        var retry = false;
        foreach (var source in sources)
        {
            var (finished, after) = _progress.Cursor(range, source);
            if (finished)
            {
                done++;
                continue;
            }

            if (view.AddressOfLive(source) is not { } address)
            {
                continue;
            }

            using var slot = await _throttle.EnterAsync(cancellationToken);
            Interlocked.Increment(ref _streaming);
            try
            {
                await StreamFromAsync(_peers.On(address), range, source, after, cancellationToken);
                done++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSourceFailed(source, range, ex.Message);
                retry = true;
            }
            finally
            {
                Interlocked.Decrement(ref _streaming);
            }
        }

        return !retry && (done > 0 || sources.Count == 0);
    }

    private async Task StreamFromAsync(IStreamService source, int range, string sourceId, byte[]? after, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await source.ReadBatch(range, after, _options.Streaming.BatchBytes, cancellationToken).WaitAsync(CallBound, _time, cancellationToken);
            await _throttle.SpendAsync(batch.Bytes, cancellationToken);
            // Each key new to this node is counted as it is stored, so a batch cut short (a failed or cancelled stream,
            // which is sent again) still counts the keys it added.
            await Task.WhenAll(batch.Keys.Select(async (key, i) =>
            {
                if (await _replicas.MergeAsync(range, key, VersionSetCodec.Decode(batch.Sets[i])))
                {
                    _counters.Added();
                }
            }));
            if (batch.Keys.Length > 0)
            {
                after = batch.Keys[^1];
            }

            _counters.Received(batch.Keys.Length, batch.Bytes);
            if (!batch.Last)
            {
                // A cursor is saved only once the keys before it are durable here.
                var engine = _store.Engine;
                await engine.WaitForLogAsync(engine.LogPosition, cancellationToken);
            }

            _progress.Advance(range, sourceId, batch.Last ? null : after, save: !batch.Last);
            if (batch.Last)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 240, Level = LogLevel.Information, Message = "Node {NodeId} holds all its {Ranges} ranges: it now serves them")]
    private partial void LogJoined(string nodeId, int ranges);

    [LoggerMessage(EventId = 241, Level = LogLevel.Warning, Message = "Streaming from node {Source} (range {Range}) failed, tried again later: {Reason}")]
    private partial void LogSourceFailed(string source, int range, string reason);

    [LoggerMessage(EventId = 242, Level = LogLevel.Warning, Message = "A streaming check failed; the next one tries again")]
    private partial void LogCheckFailed(Exception exception);
}
