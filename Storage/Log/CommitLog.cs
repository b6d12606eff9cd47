// The write-ahead commit log on FasterLog. Writers append records to the log's in-memory tail; a single
// committer task turns pending appends into one FasterLog commit at a time (group commit), so concurrent
// writers share one device write. Recovery replays every committed record after a given address.

using System.Buffers;
using FASTER.core;
using Microsoft.Extensions.Logging;

namespace GrainKV.Storage.Log;

/// <summary>A durable, append-only log of put and delete records, one per engine directory.</summary>
public sealed partial class CommitLog : IAsyncDisposable
{
    private const string LogFileName = "commit.log";

    /// <summary>Address of the first record of a new FasterLog (its first valid address).</summary>
    private const long FirstAddress = 64;

    private readonly FasterLog _log;
    private readonly IDevice _device;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _commitRequested = new(0, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _committer;
    private readonly ITimer? _periodicCommit;
    private int _commitPending;

    private CommitLog(FasterLog log, IDevice device, string path, StorageOptions options, TimeProvider time, ILogger logger)
    {
        _log = log;
        _device = device;
        _path = path;
        _logger = logger;
        _committer = Task.Run(CommitLoopAsync);
        if (options.Durability == LogDurability.Buffered)
        {
            _periodicCommit = time.CreateTimer(_ => CommitIfDirty(), null, options.CommitInterval, options.CommitInterval);
        }
    }

    /// <summary>Address of the first record still in the log.</summary>
    public long BeginAddress => _log.BeginAddress;

    /// <summary>Address just past the last appended record (committed or not).</summary>
    public long TailAddress => _log.TailAddress;

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

    /// <summary>Opens (and recovers) the log in <paramref name="directory"/>, creating it if absent.</summary>
    public static async ValueTask<CommitLog> OpenAsync(
        string directory, StorageOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, LogFileName);
        var device = Devices.CreateLogDevice(path, preallocateFile: false, deleteOnClose: false);
        var settings = new FasterLogSettings
        {
            LogDevice = device,
            LogCommitDir = directory,
            PageSizeBits = options.LogPageSizeBits,
            MemorySizeBits = options.LogPageSizeBits + 2,
            SegmentSizeBits = options.LogPageSizeBits + 3,
            LogChecksum = LogChecksumType.PerEntry,
            RemoveOutdatedCommits = true,
            TryRecoverLatest = true,
        };

        try
        {
            var log = await FasterLog.CreateAsync(settings, cancellationToken).ConfigureAwait(false);
            return new CommitLog(log, device, path, options, time, logger);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            device.Dispose();
            throw new CorruptionException(path, "the commit log could not be recovered", ex);
        }
    }

    /// <summary>Appends a record to the log tail (in memory) and returns its address.
    /// Durability needs <see cref="WaitForCommitAsync"/>.</summary>
    public long Append(LogRecordKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var size = LogRecord.EncodedSize(key.Length, value.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var entry = buffer.AsSpan(0, size);
            LogRecord.Encode(entry, kind, key, value);
            return _log.Enqueue(entry);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Completes once the record at <paramref name="address"/> is committed to the device.</summary>
    public ValueTask WaitForCommitAsync(long address, CancellationToken cancellationToken)
    {
        if (_log.CommittedUntilAddress > address)
        {
            return ValueTask.CompletedTask;
        }

        RequestCommit();
        return _log.WaitForCommitAsync(address + 1, token: cancellationToken);
    }

    /// <summary>Commits everything appended so far.</summary>
    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        await _log.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads every committed record at or after <paramref name="fromAddress"/>, in log order.</summary>
    public IEnumerable<(long Address, LogRecord Record)> ReadCommitted(long fromAddress)
    {
        var begin = Math.Max(fromAddress, _log.BeginAddress);
        using var iterator = _log.Scan(begin, _log.CommittedUntilAddress);
        while (iterator.GetNext(out var entry, out var length, out var address))
        {
            yield return (address, LogRecord.Decode(entry.AsSpan(0, length), _path));
        }
    }

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
                Volatile.Write(ref _commitPending, 0);
                await _log.CommitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCommitFailed(ex, _path);
            }
        }
    }

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
        if (commit)
        {
            await _log.CommitAsync().ConfigureAwait(false);
        }

        // The commit's continuation may run inline on FasterLog's I/O completion; disposing the device
        // there waits for that very I/O to finish and never returns. Dispose on another thread.
        await Task.Run(() =>
        {
            _log.Dispose();
            _device.Dispose();
        }).ConfigureAwait(false);
        _shutdown.Dispose();
        _commitRequested.Dispose();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Commit of log '{Path}' failed")]
    private partial void LogCommitFailed(Exception exception, string path);
}
