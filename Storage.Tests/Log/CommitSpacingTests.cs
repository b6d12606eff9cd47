// With buffered durability, a commit asked for within CommitSpacing of the last commit's start waits for the rest of
// it (readers of hot keys then share commits instead of running them back to back); a commit after a quiet spell and
// every synced write are not delayed; a spacing longer than the commit interval counts as the interval. Time is a fake
// clock: the committer's wait is a timer that fires only when the test moves the clock, so "it waits" is observed as
// that timer being set, never as time passing.

using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Storage.Tests.Log;

public sealed class CommitSpacingTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1); // no periodic commit during a test
    private readonly TempDirectory _directory = new();
    private readonly TimerWatchingTimeProvider _time = new();

    private StorageOptions Options(LogDurability durability) => new()
    {
        DataDirectory = _directory.Path,
        Durability = durability,
        CommitInterval = Interval,
    };

    private Task<StorageEngine> OpenAsync(LogDurability durability, TimeSpan? spacing = null)
    {
        var options = Options(durability);
        options.CommitSpacing = spacing ?? Spacing;
        return StorageEngine.OpenAsync(options, _time, NullLoggerFactory.Instance).AsTask();
    }

    private static bool IsShort(TimeSpan due) => due > TimeSpan.Zero && due <= Spacing;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task ACommitAskedForWithinTheSpacingWaitsForTheRestOfIt()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered);
        await engine.PutAsync(B("first"), B("1"));
        await engine.WaitForLogAsync(engine.LogPosition).AsTask().WaitAsync(Bound); // the first commit is not delayed

        _time.Advance(Spacing / 5);
        await engine.PutAsync(B("second"), B("2"));
        var durable = engine.WaitForLogAsync(engine.LogPosition).AsTask();

        // The committer sets a timer for the rest of the spacing; until the clock moves, nothing is committed.
        var rest = await _time.NextTimer(IsShort).WaitAsync(Bound);
        Assert.Equal(Spacing - (Spacing / 5), rest);
        Assert.False(durable.IsCompleted);

        _time.Advance(rest);
        await durable.WaitAsync(Bound);
    }

    [Fact]
    public async Task ACommitAfterAQuietSpellIsNotDelayed()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered);
        await engine.PutAsync(B("first"), B("1"));
        await engine.WaitForLogAsync(engine.LogPosition).AsTask().WaitAsync(Bound);

        _time.Advance(Spacing);
        await engine.PutAsync(B("second"), B("2"));
        await engine.WaitForLogAsync(engine.LogPosition).AsTask().WaitAsync(Bound); // the clock does not move again
        Assert.Equal(0, _time.Timers(IsShort));
    }

    [Fact]
    public async Task SyncedWritesAreNeverSpaced()
    {
        await using var engine = await OpenAsync(LogDurability.Synced);
        for (var i = 0; i < 5; i++)
        {
            await engine.PutAsync(B($"key-{i}"), B("v")).AsTask().WaitAsync(Bound); // each waits for its own commit
        }

        Assert.Equal(0, _time.Timers(IsShort));
    }

    [Fact]
    public async Task ASpacingLongerThanTheCommitIntervalCountsAsTheInterval()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered, spacing: Interval * 2);
        await engine.PutAsync(B("first"), B("1"));
        await engine.WaitForLogAsync(engine.LogPosition).AsTask().WaitAsync(Bound);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await engine.PutAsync(B("second"), B("2"));
        var durable = engine.WaitForLogAsync(engine.LogPosition).AsTask();

        // The periodic commit's timer was set for the whole interval when the engine opened; the committer's is shorter.
        var rest = await _time.NextTimer(due => due > TimeSpan.Zero && due < Interval).WaitAsync(Bound);
        Assert.Equal(Interval - TimeSpan.FromMilliseconds(1), rest);
        _time.Advance(rest);
        await durable.WaitAsync(Bound);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A fake clock that records the due time of every timer set (the committer's wait, the periodic commit).</summary>
    private sealed class TimerWatchingTimeProvider : TimeProvider
    {
        private readonly FakeTimeProvider _fake = new();
        private readonly List<TimeSpan> _dueTimes = [];
        private readonly List<(Predicate<TimeSpan> Match, TaskCompletionSource<TimeSpan> Signal)> _waiters = [];

        public override long TimestampFrequency => _fake.TimestampFrequency;

        public override long GetTimestamp() => _fake.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

        public void Advance(TimeSpan delta) => _fake.Advance(delta);

        /// <summary>Timers set so far whose due time matches.</summary>
        public int Timers(Predicate<TimeSpan> match)
        {
            lock (_dueTimes)
            {
                return _dueTimes.FindAll(match).Count;
            }
        }

        /// <summary>The due time of the first timer that matches, set already or to be set.</summary>
        public Task<TimeSpan> NextTimer(Predicate<TimeSpan> match)
        {
            lock (_dueTimes)
            {
                var index = _dueTimes.FindIndex(match);
                if (index >= 0)
                {
                    return Task.FromResult(_dueTimes[index]);
                }

                var signal = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((match, signal));
                return signal.Task;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = _fake.CreateTimer(callback, state, dueTime, period);
            lock (_dueTimes)
            {
                _dueTimes.Add(dueTime);
                _waiters.RemoveAll(w => w.Match(dueTime) && w.Signal.TrySetResult(dueTime));
            }

            return timer;
        }
    }
}
