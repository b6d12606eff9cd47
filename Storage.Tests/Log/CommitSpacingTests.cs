// With buffered durability, a commit asked for within CommitSpacing of the last commit's start waits for the rest of
// it (readers of hot keys then share commits instead of running them back to back); a commit after a quiet spell and
// every synced write are not delayed. Time is a fake clock: the committer's wait is a timer that fires only when the
// test moves the clock, so "it waits" is observed as that timer being set, never as time passing.

using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Storage.Tests.Log;

public sealed class CommitSpacingTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(5);
    private readonly TempDirectory _directory = new();
    private readonly TimerWatchingTimeProvider _time = new();

    private StorageOptions Options(LogDurability durability) => new()
    {
        DataDirectory = _directory.Path,
        Durability = durability,
        CommitInterval = TimeSpan.FromHours(1), // no periodic commit during a test
        CommitSpacing = Spacing,
    };

    private Task<StorageEngine> OpenAsync(LogDurability durability) =>
        StorageEngine.OpenAsync(Options(durability), _time, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).AsTask();

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
        var rest = await _time.NextShortTimer().WaitAsync(Bound);
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
        Assert.Equal(0, _time.ShortTimers);
    }

    [Fact]
    public async Task SyncedWritesAreNeverSpaced()
    {
        await using var engine = await OpenAsync(LogDurability.Synced);
        for (var i = 0; i < 5; i++)
        {
            await engine.PutAsync(B($"key-{i}"), B("v")).AsTask().WaitAsync(Bound); // each waits for its own commit
        }

        Assert.Equal(0, _time.ShortTimers);
    }

    [Fact]
    public void ASpacingLongerThanTheCommitIntervalIsAccepted()
    {
        var options = Options(LogDurability.Buffered);
        options.CommitSpacing = TimeSpan.FromHours(2); // counts as CommitInterval
        options.Validate(); // a negative one is refused: StorageOptionsTests
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A fake clock that reports each timer set to fire within <see cref="Spacing"/> (the committer's wait; the
    /// periodic commit's timer is an hour away).</summary>
    private sealed class TimerWatchingTimeProvider : TimeProvider
    {
        private readonly FakeTimeProvider _fake = new();
        private readonly List<TimeSpan> _dueTimes = [];
        private TaskCompletionSource<TimeSpan>? _next;

        public override long TimestampFrequency => _fake.TimestampFrequency;

        public override long GetTimestamp() => _fake.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

        public void Advance(TimeSpan delta) => _fake.Advance(delta);

        public int ShortTimers
        {
            get
            {
                lock (_dueTimes)
                {
                    return _dueTimes.Count(IsShort);
                }
            }
        }

        public Task<TimeSpan> NextShortTimer()
        {
            lock (_dueTimes)
            {
                if (_dueTimes.Find(IsShort) is var due && IsShort(due))
                {
                    return Task.FromResult(due);
                }

                _next = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _next.Task;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = _fake.CreateTimer(callback, state, dueTime, period);
            lock (_dueTimes)
            {
                _dueTimes.Add(dueTime);
                if (IsShort(dueTime))
                {
                    _next?.TrySetResult(dueTime);
                }
            }

            return timer;
        }

        private static bool IsShort(TimeSpan due) => due > TimeSpan.Zero && due <= Spacing;
    }
}
