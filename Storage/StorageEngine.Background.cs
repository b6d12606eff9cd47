// The engine's background work, in two loops: one flushes immutable memtables to tables (oldest first), the
// other compacts tables when the policy asks for it. They run side by side, so a long merge never delays a
// flush: writers are held back only when flushing itself falls behind. Each loop writes its tables on a thread of
// its own, at a lower priority than requests (BackgroundThread), not on the thread pool's workers; it publishes them
// back on the pool, since writers wait for the lock they are published under. Each step publishes a new EngineState
// and manifest (under the state lock, so the two never interleave a manifest) and then wakes writers waiting on
// back-pressure. A flush only ever inserts the newest table and a compaction replaces a contiguous run of older
// ones, which it finds again by identity when it publishes.

using System.Collections.Immutable;
using GrainKV.Storage.Compaction;
using GrainKV.Storage.Manifest;
using GrainKV.Storage.Memory;
using GrainKV.Storage.Table;
using Microsoft.Extensions.Logging;

namespace GrainKV.Storage;

public sealed partial class StorageEngine
{
    /// <summary>Both background loops; they end when the engine stops (or one of them fails).</summary>
    private Task StartBackground() => Task.WhenAll(Task.Run(FlushLoopAsync), Task.Run(CompactionLoopAsync));

    /// <summary>Ends the flush and compaction threads (after the loops, which give them their steps, have ended).</summary>
    private void StopBackgroundThreads()
    {
        _flushThread.Dispose();
        _compactionThread.Dispose();
    }

    /// <summary>Flushes immutable memtables, oldest first, as they appear. It never waits for a compaction, so a
    /// long merge does not hold writers back while memtables fill up.</summary>
    private Task FlushLoopAsync() => RunLoopAsync(_flushThread, _flushWork, async token =>
    {
        while (!token.IsCancellationRequested && await FlushOldestAsync(token).ConfigureAwait(false))
        {
            _compactionWork.Release();
            SignalProgress();
        }
    });

    /// <summary>Compacts tables when the policy asks for it (or a full compaction was requested), one merge at a time.</summary>
    private Task CompactionLoopAsync() => RunLoopAsync(_compactionThread, _compactionWork, async token =>
    {
        var requested = Interlocked.Read(ref _fullCompactionsRequested);
        var force = requested > Interlocked.Read(ref _fullCompactionsDone);
        while (!token.IsCancellationRequested && await CompactOnceAsync(force).ConfigureAwait(false))
        {
            force = false;
            SignalProgress();
        }

        Interlocked.Exchange(ref _fullCompactionsDone, Math.Max(requested, Interlocked.Read(ref _fullCompactionsDone)));
    });

    /// <summary>Runs <paramref name="step"/> each time <paramref name="signal"/> is released, until the engine stops.
    /// A failure stops the loop and every later write (see <see cref="_backgroundError"/>).</summary>
    private async Task RunLoopAsync(BackgroundThread thread, SemaphoreSlim signal, Func<CancellationToken, Task> step)
    {
        if (!await thread.PriorityLowered.ConfigureAwait(false) && OperatingSystem.IsLinux())
        {
            LogPriorityNotLowered(_logger, _options.BackgroundNice);
        }

        var token = _stopping.Token;
        while (!token.IsCancellationRequested && _backgroundError is null)
        {
            try
            {
                await signal.WaitAsync(token).ConfigureAwait(false);
                await step(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _backgroundError ??= ex;
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

        // The table is written on the flush thread; it is published here, at the process's priority, because writers
        // that rotate a memtable wait for the state lock it is published under.
        var (id, info, table) = await _flushThread.RunAsync(() => WriteTable(frozen.Table.Entries())).ConfigureAwait(false);
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
                var immutables = current.Immutables.Remove(frozen);
                _state = current with { Immutables = immutables, TableSet = new TableSet(tables, MemTablesOf(current.Active, immutables)) };
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
        var merged = MergingIterator.Merge(run.Select(t => t.Stream()).ToArray())
            .Where(e => !e.Value.IsTombstone || !bottom || purge is null || !purge(e.Key))
            .Select(e => !e.Value.IsTombstone && rewrite?.Invoke(e.Key.Span, e.Value.Span) is { } replacement ? e with { Value = StoredValue.Of(replacement) } : e);
        // Merged and written on the compaction thread, published here (see FlushOldestAsync).
        var (id, info, output) = await _compactionThread.RunAsync(() => WriteTable(merged)).ConfigureAwait(false);
        TableSet previous;
        try
        {
            lock (_stateLock)
            {
                var current = _state;
                var start = current.Tables.IndexOf(run[0]);
                var live = current.Tables.RemoveRange(start, run.Length).Insert(start, output);
                ManifestFile.Write(_options.FileSystem, _directory, new ManifestState(_logStart, _logStartSequence, Interlocked.Read(ref _nextTableId), live.Select(t => t.Id).ToArray()));
                _state = current with { TableSet = new TableSet(live, MemTablesOf(current.Active, current.Immutables)) };
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
        return true;
    }

    /// <summary>The memtables of a state, for the table set it is published with.</summary>
    private static IEnumerable<MemTable> MemTablesOf(MemTable active, ImmutableArray<FrozenMemTable> immutables) =>
        immutables.Select(f => f.Table).Prepend(active);

    private TableWriterOptions WriterOptions => new(_options.BlockSize, _options.BloomBitsPerKey, _options.Compression);

    /// <summary>Writes <paramref name="entries"/> (sorted) to a new table file under the next table id and opens it.</summary>
    private (long Id, TableInfo Info, TableReader Table) WriteTable(IEnumerable<EntryInPlace> entries)
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

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Could not lower the priority of a background thread by {Niceness}; flushes and compactions run at the priority of requests")]
    private static partial void LogPriorityNotLowered(ILogger logger, int niceness);
}
