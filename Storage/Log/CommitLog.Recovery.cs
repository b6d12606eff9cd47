// Opening and replaying the commit log. FasterLog recovers to its newest commit; this side refuses what
// FasterLog would accept quietly: a newest commit file it could not read (it falls back to an older
// commit), a manifest log start outside the committed log, a record whose sequence number does not follow
// the previous one (records skipped, e.g. a zeroed length taken for end-of-page padding), records that
// end before the committed address, and any FASTER exception while reading. Each is a
// CorruptionException naming the damaged file.

using FASTER.core;
using Microsoft.Extensions.Logging;

namespace GrainKV.Storage.Log;

public sealed partial class CommitLog
{
    private const string LogFileName = "commit.log";

    /// <summary>FasterLog's directory of commit metadata files (one new file per commit), where logs created before
    /// <see cref="CommitSlots"/> kept their commits.</summary>
    private const string CommitDirectoryName = "log-commits";

    /// <summary>Address of the first record of a new FasterLog (its first valid address).</summary>
    private const long FirstAddress = 64;

    /// <summary>Opens (and recovers) the log in <paramref name="directory"/>, creating it if absent.</summary>
    /// <exception cref="CorruptionException">The log or its newest commit cannot be recovered.</exception>
    public static async ValueTask<CommitLog> OpenAsync(
        string directory, StorageOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, LogFileName);
        var segments = new LogSegmentDevice(path, options.LogSpareSegments);
        var device = options.LogDeviceWrapper is { } wrap ? wrap(segments) : segments;

        // Commit metadata lives in two slots of one file (CommitSlots); a log from before them recovers from
        // FasterLog's per-commit files, which its first commit then removes.
        var legacyDirectory = Path.Combine(directory, CommitDirectoryName);
        var legacy = Directory.Exists(legacyDirectory)
            ? new DeviceLogCommitCheckpointManager(new LocalStorageNamedDeviceFactory(), new DefaultCheckpointNamingScheme(directory), removeOutdated: true)
            : null;
        CommitSlots slots;
        try
        {
            slots = new CommitSlots(directory, legacy is null ? null : legacyDirectory, legacy);
        }
        catch
        {
            legacy?.Dispose();
            device.Dispose();
            throw;
        }

        var commits = new RecoveryCheckingCommitManager(slots);
        var settings = new FasterLogSettings
        {
            LogDevice = device,
            LogCommitManager = commits,
            PageSizeBits = options.LogPageSizeBits,
            MemorySizeBits = options.LogPageSizeBits + 2,
            SegmentSizeBits = options.LogPageSizeBits + 3,
            LogChecksum = LogChecksumType.PerEntry,
            RemoveOutdatedCommits = true,
            TryRecoverLatest = true,
        };

        FasterLog? log = null;
        try
        {
            log = await FasterLog.CreateAsync(settings, cancellationToken).ConfigureAwait(false);
            if (commits.Newest is { } newest && commits.Recovered != newest)
            {
                // A (per-commit) file that is empty or all zeros is a commit a crash interrupted: it was never
                // acknowledged, and the previous commit is the right one. Anything else is damage. (Slots that a
                // crash interrupted are not listed at all: CommitSlots.)
                var file = commits.CommitFile(newest);
                if (!slots.ReadsLegacyCommits || !IsUnfinishedCommit(file))
                {
                    throw new CorruptionException(
                        file,
                        $"the newest commit of the log could not be read (recovery used {(commits.Recovered is { } used ? $"commit {used}" : "no commit")})");
                }

                LogUnfinishedCommitIgnored(logger, file);
            }

            return new CommitLog(log, device, segments, commits, path, options, time, logger);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log?.Dispose();
            device.Dispose();
            commits.Dispose();
            throw ex as CorruptionException ?? new CorruptionException(path, "the commit log could not be recovered", ex);
        }
    }

    /// <summary>Checks that <paramref name="logStart"/> (from the manifest) lies in the committed log: at or after
    /// the begin address (nothing replay needs was truncated) and at or before the committed address (the log
    /// did not recover below it). 0 means "from the first record" and needs an untruncated log.</summary>
    /// <exception cref="CorruptionException">It does not; <paramref name="manifestPath"/> is named.</exception>
    public void CheckLogStart(long logStart, string manifestPath)
    {
        var begin = _log.BeginAddress;
        var committed = _log.CommittedUntilAddress;
        var valid = logStart == 0 ? begin <= FirstAddress : begin <= logStart && logStart <= committed;
        if (!valid)
        {
            throw new CorruptionException(
                manifestPath,
                $"the manifest's log start {logStart} lies outside the committed log [{begin}, {committed}] of '{_path}'");
        }
    }

    /// <summary>Applies every committed record from <paramref name="fromAddress"/> (0: the log's first) in log order,
    /// checking that their sequence numbers run on from <paramref name="firstSequence"/> and that they reach the
    /// committed address. Appends then continue the sequence. Returns the number of records.</summary>
    /// <exception cref="CorruptionException">A record is damaged or missing; the segment file is named.</exception>
    public int Replay(long fromAddress, long firstSequence, Action<LogRecord> apply)
    {
        var committed = _log.CommittedUntilAddress;
        var end = fromAddress == 0 ? _log.BeginAddress : fromAddress;
        var expected = firstSequence;
        var count = 0;
        using var iterator = _log.Scan(end, committed);
        while (true)
        {
            bool found;
            byte[] entry;
            int length;
            long address;
            long next;
            try
            {
                found = iterator.GetNext(out entry, out length, out address, out next);
            }
            catch (Exception ex)
            {
                throw new CorruptionException(SegmentPath(end), $"the log could not be read after address {end}", ex);
            }

            if (!found)
            {
                break;
            }

            var record = LogRecord.Decode(entry.AsSpan(0, length), SegmentPath(address));
            if (record.Sequence != expected)
            {
                throw new CorruptionException(
                    SegmentPath(address),
                    $"the log record at address {address} has sequence number {record.Sequence}, expected {expected}: records before it are missing");
            }

            apply(record);
            expected++;
            end = next;
            count++;
        }

        if (end < committed)
        {
            throw new CorruptionException(
                SegmentPath(end),
                $"the log's records end at address {end} but its commit covers {committed}: records after {end} are missing");
        }

        _nextSequence = expected;
        return count;
    }

    private static bool IsUnfinishedCommit(string file) =>
        !File.Exists(file) || File.ReadAllBytes(file).All(b => b == 0);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Ignored the unfinished commit file {File} left by a crash; recovered from the previous commit")]
    private static partial void LogUnfinishedCommitIgnored(ILogger logger, string file);

    /// <summary>The segment file holding <paramref name="address"/>.</summary>
    private string SegmentPath(long address) => $"{_path}.{address >> _segmentSizeBits}";
}
