// The commit log's pacing rule alone: a reader's commit starts at least the spacing after the last one started, or
// twice as long as that one took if that is less (so the wait after it is never longer than it took), in whole
// milliseconds rounded down; only buffered logs are paced, and a spacing longer than the commit interval counts as
// the interval. The log applying it to real commits: CommitSpacingTests.

using GrainKV.Storage.Log;

namespace GrainKV.Storage.Tests.Log;

public sealed class CommitPacingTests
{
    private static readonly CommitPacing Pacing = new(Ms(4));

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void AfterAQuickCommitTheWaitIsWhatItTookLessTheTimeSinceItEnded()
    {
        // Took 1 ms (twice that is under the spacing): the next starts 2 ms after it started.
        Assert.Equal(Ms(1), Pacing.WaitBeforeCommit(lastCommitTook: Ms(1), sinceLastCommitEnded: TimeSpan.Zero));
        Assert.Equal(Ms(1), Pacing.WaitBeforeCommit(lastCommitTook: Ms(1.5), sinceLastCommitEnded: Ms(0.2))); // 1.3
    }

    [Fact]
    public void AWaitUnderAMillisecondIsNone()
    {
        Assert.Equal(TimeSpan.Zero, Pacing.WaitBeforeCommit(lastCommitTook: Ms(0.6), sinceLastCommitEnded: TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, Pacing.WaitBeforeCommit(lastCommitTook: Ms(3), sinceLastCommitEnded: Ms(0.5)));
    }

    [Fact]
    public void AfterACommitOfOverHalfTheSpacingTheNextStartsTheSpacingAfterIt()
    {
        Assert.Equal(Ms(1), Pacing.WaitBeforeCommit(lastCommitTook: Ms(2.5), sinceLastCommitEnded: TimeSpan.Zero)); // 1.5
        Assert.Equal(Ms(1), Pacing.WaitBeforeCommit(lastCommitTook: Ms(2), sinceLastCommitEnded: Ms(1)));
    }

    [Fact]
    public void AfterACommitLongerThanTheSpacingTheNextStartsAtOnce() =>
        Assert.Equal(TimeSpan.Zero, Pacing.WaitBeforeCommit(lastCommitTook: Ms(10), sinceLastCommitEnded: TimeSpan.Zero));

    [Fact]
    public void NothingIsWaitedOnceAsLongAsTheCommitTookHasPassed() =>
        Assert.Equal(TimeSpan.Zero, Pacing.WaitBeforeCommit(lastCommitTook: Ms(1.5), sinceLastCommitEnded: Ms(1.5)));

    [Fact]
    public void TheFirstCommitIsNotDelayed() =>
        Assert.Equal(TimeSpan.Zero, Pacing.WaitBeforeCommit(lastCommitTook: TimeSpan.Zero, sinceLastCommitEnded: TimeSpan.Zero));

    [Fact]
    public void ANoSpacingPacingNeverWaits() =>
        Assert.Equal(TimeSpan.Zero, new CommitPacing(TimeSpan.Zero).WaitBeforeCommit(Ms(1.5), TimeSpan.Zero));

    [Fact]
    public void OnlyBufferedLogsArePacedAndASpacingLongerThanTheIntervalCountsAsTheInterval()
    {
        var buffered = new StorageOptions { Durability = LogDurability.Buffered, CommitInterval = Ms(10), CommitSpacing = Ms(2) };
        Assert.Equal(Ms(2), CommitPacing.For(buffered).Spacing);

        buffered.CommitSpacing = TimeSpan.FromHours(1);
        Assert.Equal(Ms(10), CommitPacing.For(buffered).Spacing);

        buffered.CommitSpacing = TimeSpan.Zero;
        Assert.Equal(TimeSpan.Zero, CommitPacing.For(buffered).Spacing);

        var synced = new StorageOptions { Durability = LogDurability.Synced, CommitSpacing = Ms(2) };
        Assert.Equal(TimeSpan.Zero, CommitPacing.For(synced).Spacing);
    }
}
