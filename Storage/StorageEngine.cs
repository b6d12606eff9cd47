// The storage engine's public face: put, get, delete and ordered scans over one data directory.
// Write path: commit log (FasterLog) → active memtable → (at MemTableSize) immutable memtable →
// background flush to an SSTable → manifest → log truncation. Read path: active memtable → immutable
// memtables → tables newest first (bloom filter, index, block cache). Background compaction merges
// tables (see CompactionPicker). Recovery: manifest + replay of the log after the last flush.

using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using GrainKV.Storage.Cache;
using GrainKV.Storage.Compaction;
using GrainKV.Storage.Log;
using GrainKV.Storage.Manifest;
using GrainKV.Storage.Memory;
using GrainKV.Storage.Table;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrainKV.Storage;

/// <summary>A crash-safe, ordered key-value store in one directory. Thread-safe.</summary>
public sealed partial class StorageEngine : IAsyncDisposable
{
    private const string LockFileName = "LOCK";
    private const string LogDirectoryName = "log";

    private readonly StorageOptions _options;
    private readonly string _directory;
    private readonly CommitLog _log;
    private readonly FileStream _directoryLock;
    private readonly ILogger<StorageEngine> _logger;
    private readonly BlockCache _cache;
    private readonly ValueChunkPool _chunkPool;
    private readonly Lock _writeLock = new();
    private readonly Lock _stateLock = new();
    private readonly SemaphoreSlim _flushWork = new(0, int.MaxValue);
    private readonly SemaphoreSlim _compactionWork = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stopping = new();
    private readonly BackgroundThread _flushThread;
    private readonly BackgroundThread _compactionThread;
    private readonly Counters _counters = new();
    private volatile EngineState _state;
    private TaskCompletionSource _progress = NewProgress();
    private Task _background = Task.CompletedTask;
    private long _nextTableId;
    private long _logStart;
    private long _logStartSequence;
    private long _fullCompactionsRequested;
    private long _fullCompactionsDone;
    private volatile Exception? _backgroundError;
    private int _disposed;

    private StorageEngine(StorageOptions options, string directory, CommitLog log, FileStream directoryLock, ILogger<StorageEngine> logger, BlockCache cache, ValueChunkPool chunkPool, EngineState state, long nextTableId)
    {
        _chunkPool = chunkPool;
        _options = options;
        _directory = directory;
        _log = log;
        _directoryLock = directoryLock;
        _logger = logger;
        _cache = cache;
        _state = state;
        _nextTableId = nextTableId;
        _flushThread = new BackgroundThread("GrainKV flush", options.BackgroundNice);
        _compactionThread = new BackgroundThread("GrainKV compaction", options.BackgroundNice);
    }

    /// <summary>Opens the engine in <see cref="StorageOptions.DataDirectory"/>, recovering every committed write.</summary>
    public static ValueTask<StorageEngine> OpenAsync(StorageOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, TimeProvider.System, NullLoggerFactory.Instance, cancellationToken);

    /// <summary>Opens the engine in <see cref="StorageOptions.DataDirectory"/>, recovering every committed write.</summary>
    /// <exception cref="CorruptionException">A table, the manifest or the log is damaged.</exception>
    public static async ValueTask<StorageEngine> OpenAsync(
        StorageOptions options, TimeProvider time, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = Path.GetFullPath(options.DataDirectory);
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            options.FileSystem.SyncDirectory(Path.GetDirectoryName(directory)!);
        }

        var directoryLock = AcquireDirectoryLock(directory);
        var logger = loggerFactory.CreateLogger<StorageEngine>();
        var tables = new List<TableReader>();
        try
        {
            var manifest = ReadOrCreateManifest(options.FileSystem, directory);
            var cache = new BlockCache(options.BlockCacheSize, options.BlockSize);
            foreach (var id in manifest.Tables)
            {
                tables.Add(TableReader.Open(Path.Combine(directory, TableFormat.FileName(id)), id, cache));
            }

            RemoveOrphans(directory, manifest);
            var log = await CommitLog.OpenAsync(
                Path.Combine(directory, LogDirectoryName), options, time, logger, cancellationToken).ConfigureAwait(false);
            try
            {
                log.CheckLogStart(manifest.LogStart, Path.Combine(directory, ManifestFile.FileName));
            }
            catch
            {
                await log.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            var chunkPool = ValueChunkPool.ForMemTables(options.MemTableSize);
            var active = new MemTable(chunkPool);
            var state = new EngineState(active, [], new TableSet([.. tables], [active]));
            foreach (var table in tables)
            {
                table.Release(); // the set holds its own reference
            }

            tables.Clear();
            var engine = new StorageEngine(options, directory, log, directoryLock, logger, cache, chunkPool, state, manifest.NextTableId) { _logStart = manifest.LogStart, _logStartSequence = manifest.LogStartSequence };
            int replayed;
            try
            {
                replayed = engine.Replay(manifest.LogStart, manifest.LogStartSequence);
            }
            catch
            {
                engine.StopBackgroundThreads();
                await log.DisposeAsync().ConfigureAwait(false);
                state.TableSet.Release();
                throw;
            }

            engine._background = engine.StartBackground();
            LogOpened(logger, directory, state.Tables.Length, replayed);
            return engine;
        }
        catch
        {
            foreach (var table in tables)
            {
                table.Dispose();
            }

            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; durable when the task completes
    /// (with <see cref="LogDurability.Synced"/>). Both are copied before this returns: the caller may reuse their memory
    /// (e.g. give a pooled buffer back) as soon as it has the task.</summary>
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        CheckKey(key.Span);
        if (value.Length > _options.MaxValueSize)
        {
            throw new EntryTooLargeException($"Value of {value.Length} bytes exceeds the engine limit of {_options.MaxValueSize} bytes.");
        }

        return WriteAsync(LogRecordKind.Put, key.ToArray(), value, cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/> (writes a tombstone).</summary>
    public ValueTask DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        CheckKey(key.Span);
        return WriteAsync(LogRecordKind.Delete, key.ToArray(), ReadOnlyMemory<byte>.Empty, cancellationToken);
    }

    /// <summary>Reads the latest value of <paramref name="key"/>. Returns false if absent or deleted.</summary>
    /// <exception cref="CorruptionException">A table holding the key is damaged.</exception>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        var found = TryRead(key, static bytes => bytes.ToArray(), out var copy);
        value = copy ?? [];
        return found;
    }

    /// <summary>Reads the latest value of <paramref name="key"/> in place: <paramref name="reader"/> gets the stored bytes
    /// (to be read during the call only) and its result is returned in <paramref name="result"/>. Unlike
    /// <see cref="TryGet"/>, nothing is copied, so a caller that decodes the value allocates only what it decodes.
    /// Returns false (<paramref name="reader"/> not called) if the key is absent or deleted.</summary>
    /// <exception cref="CorruptionException">A table holding the key is damaged.</exception>
    public bool TryRead<T>(ReadOnlySpan<byte> key, Func<ReadOnlySpan<byte>, T> reader, [MaybeNullWhen(false)] out T result)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var state = AcquireState();
        try
        {
            if (TryLocate(state, key, out var value) && !value.IsTombstone)
            {
                result = reader(value.Span);
                return true;
            }

            result = default;
            return false;
        }
        finally
        {
            state.TableSet.Release();
        }
    }

    /// <summary>Live entries with keys in [<paramref name="from"/>, <paramref name="to"/>) in key order, as of the call.
    /// An empty <paramref name="to"/> means no upper bound.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ReadOnlyMemory<byte> from, ReadOnlyMemory<byte> to)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var state = AcquireState();
        var fromKey = from.ToArray();
        var toKey = to.ToArray();
        var memTables = new List<IEnumerable<EntryInPlace>> { state.Active.Snapshot(fromKey, toKey) };
        memTables.AddRange(state.Immutables.Select(f => f.Table.Snapshot(fromKey, toKey)));
        return new ScanResult(state.TableSet, memTables, fromKey, toKey);
    }

    /// <summary>Position just past the last write appended to the commit log, durable or not. Positions grow
    /// within one open engine; pass one to <see cref="WaitForLogAsync"/>.</summary>
    public long LogPosition => _log.TailAddress;

    /// <summary>Completes once every write appended before <paramref name="position"/> is durable (in either
    /// durability mode; with <see cref="LogDurability.Buffered"/> it asks for a commit now instead of waiting
    /// for the next periodic one).</summary>
    public ValueTask WaitForLogAsync(long position, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return position <= 0 ? ValueTask.CompletedTask : _log.WaitForCommitAsync(position - 1, cancellationToken);
    }

    /// <summary>Makes the active memtable immutable and waits until every memtable is flushed to a table.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            if (_state.Active.Count > 0)
            {
                Rotate();
            }
        }

        await WaitUntilAsync(() => _state.Immutables.Length == 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Flushes, then merges every table into one (with a <see cref="StorageOptions.CompactionRewrite"/>, rewrites a single table too).</summary>
    public async Task CompactAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var ticket = Interlocked.Increment(ref _fullCompactionsRequested);
        _compactionWork.Release();
        await WaitUntilAsync(() => Interlocked.Read(ref _fullCompactionsDone) >= ticket, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The engine's counters now.</summary>
    public EngineStatistics GetStatistics()
    {
        var state = _state;
        return new EngineStatistics(
            Interlocked.Read(ref _counters.UserBytes),
            Interlocked.Read(ref _counters.LogRecords),
            Interlocked.Read(ref _counters.LogBytes),
            Interlocked.Read(ref _counters.BytesFlushed),
            Interlocked.Read(ref _counters.BytesCompacted),
            Interlocked.Read(ref _counters.Flushes),
            Interlocked.Read(ref _counters.Compactions),
            _cache.Hits,
            _cache.Misses,
            _cache.Bytes,
            _cache.Rejections,
            Interlocked.Read(ref _counters.BloomNegatives),
            state.Tables.Length,
            state.Tables.Sum(t => t.FileSize),
            state.Immutables.Length,
            state.Active.ApproximateBytes + state.Immutables.Sum(f => f.Table.ApproximateBytes),
            Interlocked.Read(ref _counters.WriteStalls),
            _log.Commits,
            _log.Waits,
            _log.SegmentsReused);
    }

    /// <summary>Appends the record and updates the memtable. The value is copied (into the log and the memtable's arena),
    /// never kept; a delete's value is empty.</summary>
    private ValueTask WriteAsync(LogRecordKind kind, byte[] key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_backgroundError is { } error)
        {
            throw new StorageException("The engine stopped writing after a background failure.", error);
        }

        var state = _state;
        if (state.Immutables.Length >= _options.MaxImmutableMemTables || state.Tables.Length >= _options.StallTables)
        {
            return SlowWriteAsync(kind, key, value.ToArray(), cancellationToken); // the caller's memory is not ours past this call
        }

        long address;
        int logBytes;

        // Log order and memtable order must agree, so both happen under one short lock.
        lock (_writeLock)
        {
            address = _log.Append(kind, key, value.Span, out logBytes);
            if (kind == LogRecordKind.Delete)
            {
                _state.Active.Set(key, null);
            }
            else
            {
                _state.Active.SetValue(key, value.Span);
            }
            if (_state.Active.ApproximateBytes >= _options.MemTableSize)
            {
                Rotate();
            }
        }

        Interlocked.Add(ref _counters.UserBytes, key.Length + value.Length);
        Interlocked.Increment(ref _counters.LogRecords);
        Interlocked.Add(ref _counters.LogBytes, logBytes);
        return _options.Durability == LogDurability.Synced
            ? _log.WaitForCommitAsync(address, cancellationToken)
            : ValueTask.CompletedTask;
    }

    /// <summary>Back-pressure: waits for the background work to catch up, then writes.</summary>
    private async ValueTask SlowWriteAsync(LogRecordKind kind, byte[] key, byte[] value, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _counters.WriteStalls);
        await WaitUntilAsync(
            () => _state.Immutables.Length < _options.MaxImmutableMemTables && _state.Tables.Length < _options.StallTables,
            cancellationToken).ConfigureAwait(false);

        await WriteAsync(kind, key, value, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Under the write lock: freezes the active memtable and hands it to the flusher.</summary>
    private void Rotate()
    {
        lock (_stateLock)
        {
            var state = _state;
            var frozen = new FrozenMemTable(state.Active, _log.TailAddress, _log.NextSequence);
            var active = new MemTable(_chunkPool);
            state.TableSet.AddMemTable(active); // the new state keeps the set, so the set must hold the new memtable too
            _state = state with { Active = active, Immutables = state.Immutables.Insert(0, frozen) };
        }

        _flushWork.Release();
    }

    /// <summary>Waits until <paramref name="done"/> holds, re-checking after each step of background work.</summary>
    private async Task WaitUntilAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Take the progress signal before checking, so a step finishing in between is not missed.
            var progress = Volatile.Read(ref _progress).Task;
            if (done())
            {
                return;
            }

            if (_backgroundError is { } error)
            {
                throw new StorageException("The engine's background work failed.", error);
            }

            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The current state, with a reference to its tables that the caller releases.</summary>
    private EngineState AcquireState()
    {
        while (true)
        {
            // A set is released by the engine only after a newer state replaced it, so a failed attempt sees a newer one.
            var state = _state;
            if (state.TableSet.TryAcquire())
            {
                return state;
            }
        }
    }

    /// <summary>The newest entry of <paramref name="key"/> in place: false if no memtable or table has one; true with
    /// the value, or a tombstone.</summary>
    private bool TryLocate(EngineState state, ReadOnlySpan<byte> key, out StoredValue value)
    {
        if (state.Active.TryLocate(key, out value))
        {
            return true;
        }

        foreach (var frozen in state.Immutables)
        {
            if (frozen.Table.TryLocate(key, out value))
            {
                return true;
            }
        }

        var hash = BloomFilter.Hash(key);
        foreach (var table in state.Tables)
        {
            if (table.TryLocate(key, hash, ref _counters.BloomNegatives, out value))
            {
                return true;
            }
        }

        return false;
    }

    private void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("Keys must not be empty.", nameof(key));
        }

        if (key.Length > StorageOptions.MaxKeySizeLimit)
        {
            throw new EntryTooLargeException($"Key of {key.Length} bytes exceeds the engine limit of {StorageOptions.MaxKeySizeLimit} bytes.");
        }
    }

    private int Replay(long fromAddress, long firstSequence)
    {
        var count = _log.Replay(fromAddress, firstSequence, record => _state.Active.Set(record.Key, record.Value));

        if (_state.Active.ApproximateBytes >= _options.MemTableSize)
        {
            lock (_writeLock)
            {
                Rotate();
            }
        }

        return count;
    }

    /// <summary>The directory's manifest. A new directory gets an empty one at once (so that a missing manifest
    /// always means damage); a missing one beside tables or a commit log is refused, never guessed.</summary>
    private static ManifestState ReadOrCreateManifest(IO.IFileSystem files, string directory)
    {
        if (ManifestFile.Read(directory) is { } manifest)
        {
            return manifest;
        }

        var log = Path.Combine(directory, LogDirectoryName);
        var hasTables = Directory.EnumerateFiles(directory, "*" + TableFormat.FileExtension).Any();
        var hasLog = Directory.Exists(log) && Directory.EnumerateFileSystemEntries(log).Any();
        if (hasTables || hasLog)
        {
            throw new CorruptionException(
                Path.Combine(directory, ManifestFile.FileName),
                $"the manifest is missing but the directory holds {(hasTables ? "tables" : "a commit log")}; refusing to open (nothing was deleted)");
        }

        ManifestFile.Write(files, directory, ManifestState.Empty);
        Directory.CreateDirectory(log);
        files.SyncDirectory(directory);
        return ManifestState.Empty;
    }

    private static void RemoveOrphans(string directory, ManifestState manifest)
    {
        var live = manifest.Tables.Select(TableFormat.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if ((name.EndsWith(TableFormat.FileExtension, StringComparison.Ordinal) && !live.Contains(name)) || name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                File.Delete(file);
            }
        }
    }

    private static FileStream AcquireDirectoryLock(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new StorageException($"The data directory '{directory}' is in use by another engine.", ex);
        }
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Stops background work, commits the log and releases the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_writeLock)
        {
            // No writer is between append and memtable update past this point.
        }

        _stopping.Cancel();
        await _background.ConfigureAwait(false);
        StopBackgroundThreads();
        await _log.DisposeAsync().ConfigureAwait(false);
        _chunkPool.Close(); // a writer that slipped past the disposed check can touch no chunk another memtable rents
        _state.TableSet.Release(); // readers still holding the state close its tables when they finish
        await _directoryLock.DisposeAsync().ConfigureAwait(false);
        _progress.TrySetResult();
        LogClosed(_logger, _options.DataDirectory);
    }

    private sealed class Counters
    {
        public long UserBytes;
        public long LogRecords;
        public long LogBytes;
        public long BytesFlushed;
        public long BytesCompacted;
        public long Flushes;
        public long Compactions;
        public long BloomNegatives;
        public long WriteStalls;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened storage engine in {Directory}: {Tables} tables, replayed {Records} log records")]
    private static partial void LogOpened(ILogger logger, string directory, int tables, int records);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Closed storage engine in {Directory}")]
    private static partial void LogClosed(ILogger logger, string directory);
}
