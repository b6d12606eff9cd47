// With buffered durability, a commit a reader asks for starts CommitSpacing after the last one started, or twice as
// long as that one took if that is less (readers of hot keys then share commits instead of running them back to back,
// and quick commits still follow each other closely); once that long has passed, after a commit longer than the
// spacing, and for every synced write, a commit starts at once. Time is a fake clock: the log's device moves it on each write (a commit that takes time),
// and the committer's wait is a timer that fires only when the test moves the clock, so "it waits" is observed as
// that timer being set, never as time passing. Times are whole milliseconds (as the committer waits). The rule alone,
// its rounding, and the cap by the commit interval: CommitPacingTests.

using System.Text;
using GrainKV.Storage.Tests.Faults;
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
    private TimeSpan _eachWriteTakes;
    private long _movedTicks;

    /// <summary>How far the log's device moved the clock since the test last asked (what the commits in between took).</summary>
    private TimeSpan TakeMoved() => TimeSpan.FromTicks(Interlocked.Exchange(ref _movedTicks, 0));

    private Task<StorageEngine> OpenAsync(LogDurability durability, TimeSpan eachWriteTakes)
    {
        _eachWriteTakes = eachWriteTakes;
        var options = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = durability,
            CommitInterval = Interval,
            CommitSpacing = Spacing,
            LogDeviceWrapper = device => new FailingLogDevice(device) { BeforeWrite = MoveClock },
        };
        return StorageEngine.OpenAsync(options, _time, NullLoggerFactory.Instance).AsTask();
    }

    private void MoveClock()
    {
        Interlocked.Add(ref _movedTicks, _eachWriteTakes.Ticks);
        _time.Advance(_eachWriteTakes);
    }

    private static bool IsShort(TimeSpan due) => due > TimeSpan.Zero && due <= Spacing;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Puts a key and waits until the log holds it; returns what that commit took.</summary>
    private async Task<TimeSpan> PutCommittedAsync(StorageEngine engine, string key)
    {
        TakeMoved();
        await engine.PutAsync(B(key), B("v"));
        await engine.WaitForLogAsync(engine.LogPosition).AsTask().WaitAsync(Bound);
        return TakeMoved();
    }

    [Fact]
    public async Task AfterAQuickCommitTheNextWaitsNoLongerThanItTook()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered, TimeSpan.FromMilliseconds(1));
        var took = await PutCommittedAsync(engine, "first"); // the first commit is not delayed
        Assert.True(took > TimeSpan.Zero && took + took < Spacing, $"the first commit took {took}");

        // The rest of twice the last commit's time: the clock has not moved since it ended.
        await AssertTheNextCommitWaitsAsync(engine, took);
    }

    [Fact]
    public async Task AfterACommitOfOverHalfTheSpacingTheNextStartsTheSpacingAfterIt()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered, TimeSpan.FromMilliseconds(3));
        var took = await PutCommittedAsync(engine, "first");
        Assert.True(took + took > Spacing && took < Spacing, $"the first commit took {took}");

        var since = TimeSpan.FromMilliseconds(1);
        _time.Advance(since);
        await AssertTheNextCommitWaitsAsync(engine, Spacing - took - since);
    }

    /// <summary>Puts a key and asks for its commit: the committer sets a timer of <paramref name="expected"/>, and
    /// nothing is committed until the clock moves by that much.</summary>
    private async Task AssertTheNextCommitWaitsAsync(StorageEngine engine, TimeSpan expected)
    {
        await engine.PutAsync(B("second"), B("2"));
        var durable = engine.WaitForLogAsync(engine.LogPosition).AsTask();

        var rest = await _time.NextTimer(IsShort).WaitAsync(Bound);
        Assert.Equal(expected, rest);
        Assert.False(durable.IsCompleted);

        _time.Advance(rest);
        await durable.WaitAsync(Bound);
    }

    [Fact]
    public async Task ACommitAskedForOnceTheLastOneTookAsLongAgainIsNotDelayed()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered, TimeSpan.FromMilliseconds(1));
        var took = await PutCommittedAsync(engine, "first");

        // More than the last commit took has passed since it ended, but less than the spacing since it started.
        var since = took + TimeSpan.FromMilliseconds(0.5);
        Assert.True(took + since < Spacing, $"the first commit took {took}");
        _time.Advance(since);
        await PutCommittedAsync(engine, "second"); // the clock moves only by the device's writes
        Assert.Equal(0, _time.Timers(IsShort));
    }

    [Fact]
    public async Task ACommitAskedForRightAfterOneLongerThanTheSpacingIsNotDelayed()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered, Spacing * 2);
        await PutCommittedAsync(engine, "first");
        await PutCommittedAsync(engine, "second");
        Assert.Equal(0, _time.Timers(IsShort));
    }

    [Fact]
    public async Task SyncedWritesAreNeverSpaced()
    {
        await using var engine = await OpenAsync(LogDurability.Synced, TimeSpan.FromMilliseconds(2));
        for (var i = 0; i < 5; i++)
        {
            await engine.PutAsync(B($"key-{i}"), B("v")).AsTask().WaitAsync(Bound); // each waits for its own commit
        }

        Assert.Equal(0, _time.Timers(IsShort));
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
