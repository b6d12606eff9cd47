// Test support: a log record encoded by the test (as an earlier build wrote it), and a simulated crash. The
// engine stops where it is — background work ends, the log is closed with or without a final commit, file
// handles and the directory lock are released — without any of the orderly steps of DisposeAsync. Tests then
// apply the crash to the files (dropping what was not durable) and reopen the directory.

namespace GrainKV.Storage;

public sealed partial class StorageEngine
{
    /// <summary>Tests only: value chunks a memtable took from the engine's pool instead of allocating.</summary>
    internal long ValueChunksReused => _chunkPool.Reused;

    /// <summary>Tests only: appends to the log the record <paramref name="encode"/> returns for the sequence number it
    /// is given. The memtable does not see it; a reopen replays it.</summary>
    internal void AppendEncodedLogRecord(Func<long, byte[]> encode)
    {
        lock (_writeLock)
        {
            _log.AppendEncoded(encode(_log.NextSequence));
        }
    }

    /// <summary>Tests only: stops the engine as a crash would. With <paramref name="commitLog"/> the log's last
    /// appends (and a pending truncation) are committed first, as if the crash came just after a commit.</summary>
    internal async ValueTask SimulateCrashAsync(bool commitLog)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        await _background.ConfigureAwait(false);
        StopBackgroundThreads();
        await _log.CloseAsync(commitLog).ConfigureAwait(false);
        _chunkPool.Close();
        _state.TableSet.Release();

        await _directoryLock.DisposeAsync().ConfigureAwait(false);
        _progress.TrySetResult();
    }
}
