// When the commit log starts a commit that a reader asked for. With buffered durability a reader of a write not yet
// committed asks for a commit before the periodic one. Commits start at least CommitSpacing apart (nor further apart
// than CommitInterval), or twice as long as the last commit took if that is less: the committer waits for the rest
// of that time after the last commit started, never longer than that commit took. Slow commits (a busy or shared
// disk, a starved process) are thus spaced, and every reader meanwhile joins the next commit instead of adding one,
// while a quick one (an idle node, a fast disk) is followed about as quickly: a reader waits for about one commit,
// not for the spacing. Timers count whole milliseconds (Task.Delay truncates), so a wait is rounded down to them:
// after a commit quicker than a millisecond, the next starts at once. Synced writers wait for every commit: their
// commits are never delayed.

namespace GrainKV.Storage.Log;

/// <summary>The wait before a commit asked for by a reader (see <see cref="StorageOptions.CommitSpacing"/>).</summary>
internal readonly record struct CommitPacing(TimeSpan Spacing)
{
    /// <summary>The pacing of a log opened with <paramref name="options"/>: none unless its durability is
    /// <see cref="LogDurability.Buffered"/>; a spacing longer than the commit interval counts as the interval.</summary>
    public static CommitPacing For(StorageOptions options) => new(
        options.Durability != LogDurability.Buffered ? TimeSpan.Zero
        : options.CommitSpacing < options.CommitInterval ? options.CommitSpacing : options.CommitInterval);

    /// <summary>How long to wait before starting a commit, when the last one took <paramref name="lastCommitTook"/>
    /// and ended <paramref name="sinceLastCommitEnded"/> ago (zero for the first commit, which took nothing), in
    /// whole milliseconds.</summary>
    public TimeSpan WaitBeforeCommit(TimeSpan lastCommitTook, TimeSpan sinceLastCommitEnded)
    {
        var twice = lastCommitTook + lastCommitTook;
        var between = twice < Spacing ? twice : Spacing; // the least time between the starts of two commits
        var rest = between - (lastCommitTook + sinceLastCommitEnded);
        return rest.Ticks > 0 ? TimeSpan.FromTicks(rest.Ticks - (rest.Ticks % TimeSpan.TicksPerMillisecond)) : TimeSpan.Zero;
    }
}
