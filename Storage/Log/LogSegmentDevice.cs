// The commit log's device: FasterLog's segment files, written and read on a thread of the log's own.
//
// FASTER's managed device on Linux hands each page write to the .NET file API, which runs it as a blocking pwrite on a
// thread-pool worker; the segment files are opened write-through (O_SYNC), so that worker is held until the disk has
// the data. Readers of recent writes ask for commits hundreds to thousands of times a second (CommitPacing), so a
// pool worker was held in a page write much of the time: the pool injects more workers, and on few cores they compete
// with the requests. Here every read and write of the log's files runs on one dedicated thread ("GrainKV log"), in the
// order FASTER issues them, and FASTER's completion callbacks run on it. (FASTER then queues the commit's metadata
// write, CommitSlots, as a task of its own on the pool: that write and its fsync still hold a pool worker.)
// Files, names and contents are what FASTER's own device reads and writes (FileName + "." + segment), so a log
// written by either opens with the other. A completion callback that threw would end the thread and every later
// read and write of the log with it (and so the process, as an unhandled exception): FASTER's callbacks report
// failures through their arguments instead.
//
// Segments FASTER removes (the log truncated below them after a flush) are kept as spares, up to a number the options
// set, and the log's next new segment is a spare renamed: its blocks are allocated and written already, so the commit
// that first writes it overwrites them instead of extending a file (on the benchmark host a commit's page write took
// 224–248 µs into new files and 153–170 µs into reused ones; docs/BENCHMARKS.md, twenty-fifth session). The old
// bytes need no marking: FasterLog reads only below the committed address its commit metadata names, and at recovery
// it clears the tail page in memory from that address on, so bytes of a spare's earlier life are never read as
// records nor written back under the new name. Before the first write to a segment in a process, the directory is
// fsynced, so a segment's name (created or renamed) is durable before any commit can name an address in it.

using System.Collections.Concurrent;
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace GrainKV.Storage.Log;

/// <summary>FasterLog's segment files, accessed on a dedicated thread.</summary>
internal sealed class LogSegmentDevice : StorageDeviceBase
{
    private const uint InputOutputError = 5; // EIO, as the completion's error code
    private const uint Sector = 512; // as FASTER's managed device assumes on Linux (the files are not opened for direct I/O)

    /// <summary>Name of a spare segment's file, in the log's directory, before its number. Unlike the segments' own
    /// names it does not start with the log's file name, which FASTER's device takes for its segments when it lists a
    /// directory.</summary>
    internal const string SpareFilePrefix = "spare-segment.";

    private readonly ConcurrentDictionary<int, OpenSegment> _segments = new();
    private readonly BackgroundThread _thread = new("GrainKV log", niceness: 0);
    private readonly string _directory;
    private readonly int _maxSpares;
    private readonly List<string> _spares = []; // its lock guards the spares, _closed and every removal
    private long _reused;
    private bool _closed;

    /// <summary>A device for the log <paramref name="filename"/>, keeping up to <paramref name="maxSpares"/> removed
    /// segments for reuse; spares an earlier run left are taken over (beyond that number, deleted).</summary>
    public LogSegmentDevice(string filename, int maxSpares)
        : base(filename, Sector, Devices.CAPACITY_UNSPECIFIED)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSpares);
        _directory = Path.GetDirectoryName(Path.GetFullPath(filename))!;
        _maxSpares = maxSpares;
        foreach (var spare in Directory.EnumerateFiles(_directory, SpareFilePrefix + "*").Order(StringComparer.Ordinal))
        {
            if (_spares.Count < maxSpares)
            {
                _spares.Add(spare);
            }
            else
            {
                File.Delete(spare);
            }
        }
    }

    /// <summary>New segments that were spares (removed segments renamed) rather than new files.</summary>
    public long SegmentsReused => Interlocked.Read(ref _reused);

    public override unsafe void WriteAsync(
        IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context) =>
        _thread.Post(() =>
        {
            uint error = 0;
            try
            {
                RandomAccess.Write(SegmentForWrite(segmentId), new ReadOnlySpan<byte>((void*)sourceAddress, (int)numBytesToWrite), (long)destinationAddress);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = ErrorCode(ex);
            }

            callback(error, error == 0 ? numBytesToWrite : 0, context);
        });

    public override unsafe void ReadAsync(
        int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
        _thread.Post(() =>
        {
            uint error = 0;
            var read = 0;
            try
            {
                // A segment never written reads as empty (past a file's end), and no file is created for it.
                read = SegmentForRead(segmentId) is { } handle
                    ? RandomAccess.Read(handle, new Span<byte>((void*)destinationAddress, (int)readLength), (long)sourceAddress)
                    : 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = ErrorCode(ex);
            }

            callback(error, (uint)read, context);
        });

    /// <summary>Removes the segment: renamed to a spare while fewer than the most are kept, else deleted. (A crash
    /// before the directory is next synced may leave it under its old name, below the log's begin address, where
    /// nothing reads it, as a deleted segment may be left.) FASTER runs a truncation's removals as a task of their own,
    /// which may outlive the log: once the device is disposed, a removal leaves the file alone, since another log may
    /// have opened the directory by then. The file stays below the begin address the log committed, and the next log's
    /// first truncation removes it (FASTER's device removes every segment from 0 up at its first).</summary>
    public override void RemoveSegment(int segment)
    {
        var path = SegmentPath(segment);
        lock (_spares)
        {
            if (_closed)
            {
                return;
            }

            if (_segments.TryRemove(segment, out var open))
            {
                open.Handle.Dispose();
            }

            if (!File.Exists(path))
            {
                return;
            }

            if (_spares.Count < _maxSpares)
            {
                var spare = FreeSpareName();
                File.Move(path, spare);
                _spares.Add(spare);
            }
            else
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Removes the segment at once, on the caller's thread, as FASTER's own device does: FASTER truncates the log
    /// from epoch actions that may run on any thread, this device's included, and waits for the removal there (posted
    /// behind that thread's own work, it would never run). A segment FASTER removes is below the log's begin address, so
    /// no read or write queued here touches it.</summary>
    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        RemoveSegment(segment);
        callback(result);
    }

    /// <summary>The segment size FasterLog set, or the file's length (without opening it: handles are opened on the log's
    /// thread alone, so no two are ever opened for one segment).</summary>
    public override long GetFileSize(int segment) =>
        segmentSize > 0 ? segmentSize : new FileInfo(SegmentPath(segment)) is { Exists: true } file ? file.Length : 0;

    public override void Dispose()
    {
        lock (_spares)
        {
            _closed = true; // no removal touches a file from here on (RemoveSegment)
        }

        _thread.Dispose(); // what was posted runs first (unless this is the log's thread itself)
        foreach (var open in _segments.Values)
        {
            open.Handle.Dispose();
        }

        _segments.Clear();
    }

    /// <summary>The segment's handle for a read, or null if its file does not exist; on the log's thread only.</summary>
    private SafeFileHandle? SegmentForRead(int segment) =>
        _segments.TryGetValue(segment, out var open) ? open.Handle
        : File.Exists(SegmentPath(segment)) ? _segments.GetOrAdd(segment, Open).Handle
        : null;

    /// <summary>The segment's handle for a write; on the log's thread only. The first write in this process to a
    /// segment makes its file if there is none (a spare renamed, if one is kept) and fsyncs the directory, so that its
    /// name is durable (also when it exists already: a process that crashed may have made it and not synced).</summary>
    private SafeFileHandle SegmentForWrite(int segment)
    {
        if (_segments.TryGetValue(segment, out var open) && open.Named)
        {
            return open.Handle;
        }

        var path = SegmentPath(segment);
        if (open is null && !File.Exists(path))
        {
            ReuseSpareAs(path);
        }

        open = _segments.GetOrAdd(segment, Open);
        IO.DirectorySync.Sync(_directory);
        open.Named = true;
        return open.Handle;
    }

    private OpenSegment Open(int segment) =>
        new(File.OpenHandle(SegmentPath(segment), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.WriteThrough));

    /// <summary>Renames a kept spare to <paramref name="path"/>, if there is one (a spare gone from the directory is
    /// forgotten). Under the spares' lock, as removals rename into spare names.</summary>
    private void ReuseSpareAs(string path)
    {
        lock (_spares)
        {
            while (_spares.Count > 0)
            {
                var spare = _spares[^1];
                _spares.RemoveAt(_spares.Count - 1);
                try
                {
                    File.Move(spare, path);
                }
                catch (FileNotFoundException)
                {
                    continue;
                }

                Interlocked.Increment(ref _reused);
                return;
            }
        }
    }

    /// <summary>A spare name no kept spare has; under the spares' lock.</summary>
    private string FreeSpareName()
    {
        for (var number = 0; ; number++)
        {
            var name = Path.Combine(_directory, SpareFilePrefix + number);
            if (!_spares.Contains(name, StringComparer.Ordinal))
            {
                return name;
            }
        }
    }

    private string SegmentPath(int segment) => $"{FileName}.{segment}";

    /// <summary>A segment's open file, and whether its name was made durable in this process (on the log's thread).</summary>
    private sealed class OpenSegment(SafeFileHandle handle)
    {
        public SafeFileHandle Handle { get; } = handle;

        public bool Named { get; set; }
    }

    private static uint ErrorCode(Exception ex) => (ex.HResult & 0xFFFF) is var code and > 0 ? (uint)code : InputOutputError;
}
