// The write-ahead commit log on FasterLog. Writers append records to the log's in-memory tail; a single
// committer task turns pending appends into one FasterLog commit at a time (group commit), so concurrent
// writers share one device write. A waiter is released only by that task, after the commit: the log's
// pages written through (into segment files whose names the device made durable before their first write) and the
// commit's metadata slot (CommitSlots) fsynced. A failed commit is final: the log refuses appends and every waiter
// fails with CommitLogException. Recovery replays every committed record after an address.

using System.Buffers;
using FASTER.core;
using Microsoft.Extensions.Logging;

namespace GrainKV.Storage.Log;

/// <summary>A durable, append-only log of put and delete records, one per engine directory.</summary>
public sealed partial class CommitLog : IAsyncDisposable
{
    private readonly FasterLog _log;
    private readonly IDevice _device;
    private readonly LogSegmentDevice _segments;
    private readonly ILogCommitManager _commits;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _commitRequested = new(0, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _committer;
    private readonly ITimer? _periodicCommit;
    private readonly int _segmentSizeBits;
    private readonly TimeProvider _time;
    private readonly CommitPacing _pacing;
    private long _lastCommitEnd;
    private TimeSpan _lastCommitTook;
    private TaskCompletionSource _commitRound = NewSignal();
    private long _durableUntil;
    private volatile Exception? _failure;
    private int _commitPending;
    private long _nextSequence;
    private long _commitsDone;
    private long _waits;

    private CommitLog(FasterLog log, IDevice device, LogSegmentDevice segments, ILogCommitManager commits, string path, StorageOptions options, TimeProvider time, ILogger logger)
    {
        _log = log;
        _device = device;
        _segments = segments;
        _commits = commits;
        _segmentSizeBits = options.LogPageSizeBits + 3;
        _path = path;
        _logger = logger;
        _durableUntil = log.CommittedUntilAddress;
        _time = time;

        _pacing = CommitPacing.For(options);
        _committer = Task.Run(CommitLoopAsync);
        if (options.Durability == LogDurability.Buffered)
        {
            _periodicCommit = time.CreateTimer(_ => CommitIfDirty(), null, options.CommitInterval, options.CommitInterval);
        }
    }

    /// <summary>Address just past the last appended record (committed or not).</summary>
    public long TailAddress => _log.TailAddress;

    /// <summary>Sequence number the next appended record gets.</summary>
    public long NextSequence => _nextSequence;

    /// <summary>Commits completed since the log opened (each a log write, a commit-slot write and an fsync).</summary>
    public long Commits => Interlocked.Read(ref _commitsDone);

    /// <summary>Segments the log began by reusing a removed one (a spare) rather than a new file.</summary>
    public long SegmentsReused => _segments.SegmentsReused;

    /// <summary>Calls of <see cref="WaitForCommitAsync"/> that found their record not yet committed and waited for a
    /// commit (synced writers, and readers of writes not yet durable).</summary>
    public long Waits => Interlocked.Read(ref _waits);

    /// <summary>Tests only: appends <paramref name="entry"/>, a record encoded by the caller (e.g. in an earlier
    /// format) with sequence number <see cref="NextSequence"/>, as <see cref="Append"/> appends its own.</summary>
    internal long AppendEncoded(ReadOnlySpan<byte> entry)
    {
        ThrowIfFailed();
        return Enqueue(entry);
    }

    /// <summary>Appends a record to the log tail (in memory) and returns its address; <paramref name="size"/> is the
    /// record's encoded size.
    /// Durability needs <see cref="WaitForCommitAsync"/>.
    /// Callers serialize appends (the engine's write lock): each record gets the next sequence number.</summary>
    /// <exception cref="CommitLogException">A commit failed earlier; the log takes no more records.</exception>
    public long Append(LogRecordKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out int size)
    {
        ThrowIfFailed();
        size = LogRecord.EncodedSize(_nextSequence, key.Length, value.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var entry = buffer.AsSpan(0, size);
            LogRecord.Encode(entry, kind, _nextSequence, key, value);
            return Enqueue(entry);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Enqueues an encoded record carrying <see cref="NextSequence"/> and moves the sequence on.</summary>
    private long Enqueue(ReadOnlySpan<byte> entry)
    {
        try
        {
            var address = _log.Enqueue(entry);
            _nextSequence++;
            return address;
        }
        catch (FasterException ex)
        {
            throw Failed(ex);
        }
    }

    /// <summary>Completes once the record at <paramref name="address"/> is committed to the device.</summary>
    /// <exception cref="CommitLogException">A commit failed.</exception>
    public ValueTask WaitForCommitAsync(long address, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        return Volatile.Read(ref _durableUntil) > address ? ValueTask.CompletedTask : WaitForCommitSlowAsync(address, cancellationToken);
    }

    /// <summary>Throws <see cref="CommitLogException"/> if a commit failed.</summary>
    public void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw Failed(failure);
        }
    }

    private async ValueTask WaitForCommitSlowAsync(long address, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waits);
        while (true)
        {
            // Take the round's signal before checking, so a commit finishing in between is not missed.
            var round = Volatile.Read(ref _commitRound).Task;
            if (Volatile.Read(ref _durableUntil) > address)
            {
                return;
            }

            ThrowIfFailed();
            RequestCommit();
            await round.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private CommitLogException Failed(Exception cause) =>
        new(_path, "a commit of the log failed; the engine takes no more writes", cause);

    /// <summary>Drops the records before <paramref name="address"/>; takes effect at the next commit.</summary>
    public void TruncateBefore(long address) => _log.TruncateUntil(address);

    /// <summary>Periodic commit: only when something was appended since the last commit (an idle log costs nothing).</summary>
    private void CommitIfDirty()
    {
        if (_log.TailAddress > _log.CommittedUntilAddress)
        {
            RequestCommit();
        }
    }

    private void RequestCommit()
    {
        if (Interlocked.Exchange(ref _commitPending, 1) == 0)
        {
            _commitRequested.Release();
        }
    }

    private async Task CommitLoopAsync()
    {
        var token = _shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _commitRequested.WaitAsync(token).ConfigureAwait(false);
                await WaitForPacingAsync(token).ConfigureAwait(false);

                // Requests from here on need a commit after this one (it may not cover what they wait for).
                Volatile.Write(ref _commitPending, 0);
                var start = _time.GetTimestamp();
                await CommitAndSyncAsync(token).ConfigureAwait(false);
                _lastCommitEnd = _time.GetTimestamp();
                _lastCommitTook = _time.GetElapsedTime(start, _lastCommitEnd);
                EndRound();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _failure = ex;
                LogCommitFailed(ex, _path);
                EndRound();
                return;
            }
        }
    }

    /// <summary>Waits as <see cref="CommitPacing"/> says after the last commit; requests meanwhile join the next one.</summary>
    private async ValueTask WaitForPacingAsync(CancellationToken cancellationToken)
    {
        var rest = _pacing.WaitBeforeCommit(_lastCommitTook, _time.GetElapsedTime(_lastCommitEnd));
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Commits the log up to its tail: its pages and the commit's metadata are durable when this returns.</summary>
    private async Task CommitAndSyncAsync(CancellationToken cancellationToken)
    {
        // The commit's metadata goes into a slot of a file that exists already (CommitSlots); a segment file the log
        // began is named durably before its first write (LogSegmentDevice).
        await _log.CommitAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _durableUntil, _log.CommittedUntilAddress);
        Interlocked.Increment(ref _commitsDone);
    }

    private void EndRound() => Interlocked.Exchange(ref _commitRound, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Commits everything appended and closes the log.</summary>
    public ValueTask DisposeAsync() => CloseAsync(commit: true);

    /// <summary>Closes the log, committing what was appended only if <paramref name="commit"/> (false simulates a
    /// crash: the device keeps what the last commit covered).</summary>
    internal async ValueTask CloseAsync(bool commit)
    {
        if (_periodicCommit is not null)
        {
            await _periodicCommit.DisposeAsync().ConfigureAwait(false);
        }

        _shutdown.Cancel();
        await _committer.ConfigureAwait(false);
        Exception? finalCommitFailure = null;
        try
        {
            if (commit && _failure is null)
            {
                await CommitAndSyncAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LogCommitFailed(ex, _path);
            _failure = finalCommitFailure = ex;
        }
        finally
        {
            EndRound();
        }

        // The commit's continuation may run inline on FasterLog's I/O completion; disposing the device
        // there waits for that very I/O to finish and never returns. Dispose on another thread.
        await Task.Run(() =>
        {
            _log.Dispose();
            _device.Dispose();
            _commits.Dispose();
        }).ConfigureAwait(false);
        _shutdown.Dispose();
        _commitRequested.Dispose();
        if (finalCommitFailure is not null)
        {
            throw Failed(finalCommitFailure);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Commit of log '{Path}' failed")]
    private partial void LogCommitFailed(Exception exception, string path);
}
