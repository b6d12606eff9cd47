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

using System.Collections.Concurrent;
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace GrainKV.Storage.Log;

/// <summary>FasterLog's segment files, accessed on a dedicated thread.</summary>
internal sealed class LogSegmentDevice : StorageDeviceBase
{
    private const uint InputOutputError = 5; // EIO, as the completion's error code
    private const uint Sector = 512; // as FASTER's managed device assumes on Linux (the files are not opened for direct I/O)

    private readonly ConcurrentDictionary<int, SafeFileHandle> _segments = new();
    private readonly BackgroundThread _thread = new("GrainKV log", niceness: 0);

    public LogSegmentDevice(string filename)
        : base(filename, Sector, Devices.CAPACITY_UNSPECIFIED)
    {
    }

    public override unsafe void WriteAsync(
        IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context) =>
        _thread.Post(() =>
        {
            uint error = 0;
            try
            {
                RandomAccess.Write(Segment(segmentId), new ReadOnlySpan<byte>((void*)sourceAddress, (int)numBytesToWrite), (long)destinationAddress);
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
                read = RandomAccess.Read(Segment(segmentId), new Span<byte>((void*)destinationAddress, (int)readLength), (long)sourceAddress);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = ErrorCode(ex);
            }

            callback(error, (uint)read, context);
        });

    public override void RemoveSegment(int segment)
    {
        if (_segments.TryRemove(segment, out var handle))
        {
            handle.Dispose();
        }

        File.Delete(SegmentPath(segment));
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
        _thread.Dispose(); // what was posted runs first (unless this is the log's thread itself)
        foreach (var handle in _segments.Values)
        {
            handle.Dispose();
        }

        _segments.Clear();
    }

    /// <summary>The segment's handle, opened at its first read or write; on the log's thread only.</summary>
    private SafeFileHandle Segment(int segment) =>
        _segments.GetOrAdd(
            segment,
            s => File.OpenHandle(SegmentPath(s), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.WriteThrough));

    private string SegmentPath(int segment) => $"{FileName}.{segment}";

    private static uint ErrorCode(Exception ex) => (ex.HResult & 0xFFFF) is var code and > 0 ? (uint)code : InputOutputError;
}
