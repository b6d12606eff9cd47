// The storage engine's public face: put, get, delete and ordered scans over one data directory.
// Write path: commit log (FasterLog) → memtable. Read path: memtable. Tables, flush and compaction
// plug in below the memtable.

using GrainKV.Storage.Log;
using GrainKV.Storage.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrainKV.Storage;

/// <summary>A crash-safe, ordered key-value store in one directory. Thread-safe.</summary>
public sealed partial class StorageEngine : IAsyncDisposable
{
    private const string LockFileName = "LOCK";
    private const string LogDirectoryName = "log";

    private readonly StorageOptions _options;
    private readonly CommitLog _log;
    private readonly FileStream _directoryLock;
    private readonly ILogger<StorageEngine> _logger;
    private readonly Lock _writeLock = new();
    private readonly MemTable _memTable = new();
    private int _disposed;

    private StorageEngine(StorageOptions options, CommitLog log, FileStream directoryLock, ILogger<StorageEngine> logger)
    {
        _options = options;
        _log = log;
        _directoryLock = directoryLock;
        _logger = logger;
    }

    /// <summary>The options this engine was opened with.</summary>
    public StorageOptions Options => _options;

    /// <summary>Opens the engine in <see cref="StorageOptions.DataDirectory"/>, recovering every committed write.</summary>
    public static ValueTask<StorageEngine> OpenAsync(StorageOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, TimeProvider.System, NullLoggerFactory.Instance, cancellationToken);

    /// <summary>Opens the engine in <see cref="StorageOptions.DataDirectory"/>, recovering every committed write.</summary>
    public static async ValueTask<StorageEngine> OpenAsync(
        StorageOptions options, TimeProvider time, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(directory);
        var directoryLock = AcquireDirectoryLock(directory);
        var logger = loggerFactory.CreateLogger<StorageEngine>();
        try
        {
            var log = await CommitLog.OpenAsync(
                Path.Combine(directory, LogDirectoryName), options, time, logger, cancellationToken).ConfigureAwait(false);
            var engine = new StorageEngine(options, log, directoryLock, logger);
            var replayed = engine.Replay();
            LogOpened(logger, directory, replayed);
            return engine;
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; durable when the task completes
    /// (with <see cref="LogDurability.Synced"/>).</summary>
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        CheckKey(key.Span);
        if (value.Length > _options.MaxValueSize)
        {
            throw new EntryTooLargeException($"Value of {value.Length} bytes exceeds the engine limit of {_options.MaxValueSize} bytes.");
        }

        return WriteAsync(LogRecordKind.Put, key.Span, value.Span, cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/> (writes a tombstone).</summary>
    public ValueTask DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        CheckKey(key.Span);
        return WriteAsync(LogRecordKind.Delete, key.Span, ReadOnlySpan<byte>.Empty, cancellationToken);
    }

    /// <summary>Reads the latest value of <paramref name="key"/>. Returns false if absent or deleted.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_memTable.TryGet(key.ToArray(), out var found) && found is not null)
        {
            value = found;
            return true;
        }

        value = [];
        return false;
    }

    /// <summary>Live entries with keys in [<paramref name="from"/>, <paramref name="to"/>) in key order, as of the call.
    /// An empty <paramref name="to"/> means no upper bound.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ReadOnlyMemory<byte> from, ReadOnlyMemory<byte> to)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var entry in _memTable.Snapshot(from.Span, to.Span))
        {
            if (entry.Value is not null)
            {
                yield return new KeyValuePair<byte[], byte[]>(entry.Key, entry.Value);
            }
        }
    }

    private ValueTask WriteAsync(LogRecordKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long address;
        var keyCopy = key.ToArray();
        var valueCopy = kind == LogRecordKind.Put ? value.ToArray() : null;

        // Log order and memtable order must agree, so both happen under one short lock.
        lock (_writeLock)
        {
            address = _log.Append(kind, key, value);
            _memTable.Set(keyCopy, valueCopy);
        }

        return _options.Durability == LogDurability.Synced
            ? _log.WaitForCommitAsync(address, cancellationToken)
            : ValueTask.CompletedTask;
    }

    private static void CheckKey(ReadOnlySpan<byte> key)
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

    private int Replay()
    {
        var count = 0;
        foreach (var (_, record) in _log.ReadCommitted(_log.BeginAddress))
        {
            _memTable.Set(record.Key, record.Value);
            count++;
        }

        return count;
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

    /// <summary>Commits the log and releases the directory.</summary>
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

        await _log.DisposeAsync().ConfigureAwait(false);
        await _directoryLock.DisposeAsync().ConfigureAwait(false);
        LogClosed(_logger, _options.DataDirectory);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened storage engine in {Directory}; replayed {Records} log records")]
    private static partial void LogOpened(ILogger logger, string directory, int records);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Closed storage engine in {Directory}")]
    private static partial void LogClosed(ILogger logger, string directory);
}
