// The engine's background work, on one task: flush immutable memtables to tables (oldest first), then
// compact tables when the policy asks for it. Each step publishes a new EngineState and manifest and
// then wakes writers waiting on back-pressure.

using GrainKV.Storage.Compaction;
using GrainKV.Storage.Manifest;
using GrainKV.Storage.Table;
using Microsoft.Extensions.Logging;

namespace GrainKV.Storage;

public sealed partial class StorageEngine
{
    private async Task BackgroundLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _work.WaitAsync(token).ConfigureAwait(false);
                var requested = Interlocked.Read(ref _fullCompactionsRequested);
                var force = requested > Interlocked.Read(ref _fullCompactionsDone);
                while (!token.IsCancellationRequested && (await FlushOldestAsync(token).ConfigureAwait(false) || await CompactOnceAsync(force).ConfigureAwait(false)))
                {
                    force = false;
                    SignalProgress();
                }

                Interlocked.Exchange(ref _fullCompactionsDone, Math.Max(requested, Interlocked.Read(ref _fullCompactionsDone)));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _backgroundError = ex;
                LogBackgroundFailed(_logger, ex);
                break;
            }
            finally
            {
                SignalProgress();
            }
        }
    }

    private void SignalProgress() => Interlocked.Exchange(ref _progress, NewProgress()).TrySetResult();

    /// <summary>Writes the oldest immutable memtable to a table, publishes it, truncates the log. False if none.</summary>
    private async Task<bool> FlushOldestAsync(CancellationToken cancellationToken)
    {
        var state = _state;
        if (state.Immutables.IsEmpty)
        {
            return false;
        }

        var frozen = state.Immutables[^1];

        // The manifest will name frozen.LogEnd as the log start. Until a commit covers it, a crash could recover
        // the log below it, and later writes would land before the log start, where replay never looks.
        await _log.WaitForCommitAsync(frozen.LogEnd - 1, cancellationToken).ConfigureAwait(false);
        var (id, info, table) = WriteTable(frozen.Table.Snapshot([], []).Select(e => new TableEntry(e.Key, e.Value)));
        TableSet previous;
        try
        {
            lock (_stateLock)
            {
                var current = _state;
                var tables = current.Tables.Insert(0, table);
                ManifestFile.Write(_options.FileSystem, _directory, new ManifestState(frozen.LogEnd, frozen.NextSequence, Interlocked.Read(ref _nextTableId), tables.Select(t => t.Id).ToArray()));
                _logStart = frozen.LogEnd;
                _logStartSequence = frozen.NextSequence;
                _state = current with { Immutables = current.Immutables.Remove(frozen), TableSet = new TableSet(tables) };
                previous = current.TableSet;
            }
        }
        finally
        {
            table.Release(); // the opener's reference; the new set holds its own
        }

        previous.Release();
        _options.CrashPointHook?.Invoke(CrashPoints.FlushManifestWritten);
        _log.TruncateBefore(frozen.LogEnd);
        _options.CrashPointHook?.Invoke(CrashPoints.FlushLogTruncated);
        Interlocked.Add(ref _counters.BytesFlushed, info.FileSize);
        Interlocked.Increment(ref _counters.Flushes);
        LogFlushed(_logger, id, info.EntryCount, info.FileSize);
        return true;
    }

    /// <summary>Runs one compaction if the policy (or a forced compaction) asks for one. False if none.</summary>
    private async Task<bool> CompactOnceAsync(bool full)
    {
        var tables = _state.Tables;
        var rewrite = _options.CompactionRewrite;
        var count = full && (tables.Length > 1 || (tables.Length == 1 && rewrite is not null))
            ? tables.Length
            : CompactionPicker.Pick(tables.Select(t => t.FileSize).ToArray(), _options.CompactionTrigger, _options.MaxTables);
        if (count == 0)
        {
            return false;
        }

        var run = tables.Take(count).ToArray();
        var bottom = count == tables.Length;
        var purge = _options.CanPurgeTombstone;
        var merged = MergingIterator.Merge(run.Select(t => t.All()).ToArray())
            .Where(e => e.Value is not null || !bottom || purge is null || !purge(e.Key))
            .Select(e => e.Value is not null && rewrite?.Invoke(e.Key, e.Value) is { } replacement ? new TableEntry(e.Key, replacement) : e);
        var (id, info, output) = WriteTable(merged);
        TableSet previous;
        try
        {
            lock (_stateLock)
            {
                var current = _state;
                var start = current.Tables.IndexOf(run[0]);
                var live = current.Tables.RemoveRange(start, run.Length).Insert(start, output);
                ManifestFile.Write(_options.FileSystem, _directory, new ManifestState(_logStart, _logStartSequence, Interlocked.Read(ref _nextTableId), live.Select(t => t.Id).ToArray()));
                _state = current with { TableSet = new TableSet(live) };
                previous = current.TableSet;
            }
        }
        finally
        {
            output.Release(); // the opener's reference; the new set holds its own
        }

        _options.CrashPointHook?.Invoke(CrashPoints.CompactionManifestWritten);

        // The manifest no longer names the inputs: each is closed and deleted when the last reader of an
        // older state releases it (at once if none).
        foreach (var table in run)
        {
            table.MarkObsolete();
        }

        previous.Release();
        _options.CrashPointHook?.Invoke(CrashPoints.CompactionInputsReleased);

        Interlocked.Add(ref _counters.BytesCompacted, info.FileSize);
        Interlocked.Increment(ref _counters.Compactions);
        LogCompacted(_logger, run.Length, id, info.EntryCount, info.FileSize);
        await Task.Yield();
        return true;
    }

    private TableWriterOptions WriterOptions => new(_options.BlockSize, _options.BloomBitsPerKey, _options.Compression);

    /// <summary>Writes <paramref name="entries"/> (sorted) to a new table file under the next table id and opens it.</summary>
    private (long Id, TableInfo Info, TableReader Table) WriteTable(IEnumerable<TableEntry> entries)
    {
        var id = Interlocked.Increment(ref _nextTableId) - 1;
        var path = Path.Combine(_directory, TableFormat.FileName(id));
        var info = TableWriter.Write(_options.FileSystem, path, entries, WriterOptions);
        return (id, info, TableReader.Open(path, id, _cache));
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Flushed table {Id}: {Entries} entries, {Bytes} bytes")]
    private static partial void LogFlushed(ILogger logger, long id, long entries, long bytes);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Compacted {Inputs} tables into table {Id}: {Entries} entries, {Bytes} bytes")]
    private static partial void LogCompacted(ILogger logger, int inputs, long id, long entries, long bytes);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Background flush or compaction failed; writes are refused from now on")]
    private static partial void LogBackgroundFailed(ILogger logger, Exception exception);
}
