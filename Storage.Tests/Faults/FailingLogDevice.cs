// A FASTER device for the commit log that forwards to the real one until told to fail: then every write
// completes with an I/O error, as a failing disk would report it. A test may also run an action before each write
// (moving a fake clock: a write that takes time). Installed through the engine's StorageOptions.LogDeviceWrapper test
// seam.

using FASTER.core;

namespace GrainKV.Storage.Tests.Faults;

public sealed class FailingLogDevice(IDevice inner) : StorageDeviceBase(inner.FileName, inner.SectorSize, inner.Capacity)
{
    private const uint InputOutputError = 5; // EIO

    private volatile bool _failWrites;

    /// <summary>From now on every write fails.</summary>
    public void FailWrites() => _failWrites = true;

    /// <summary>Runs before each write is handed on (or failed).</summary>
    public Action? BeforeWrite { get; init; }

    public override void Initialize(long segmentSize, LightEpoch? epoch = null, bool omitSegmentIdFromFilename = false)
    {
        base.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
    }

    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context)
    {
        BeforeWrite?.Invoke();
        if (_failWrites)
        {
            callback(InputOutputError, 0, context);
            return;
        }

        inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);
    }

    public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
        inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, callback, context);

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result) => inner.RemoveSegmentAsync(segment, callback, result);

    public override long GetFileSize(int segment) => inner.GetFileSize(segment);

    public override bool TryComplete() => inner.TryComplete();

    public override void Dispose() => inner.Dispose();
}
