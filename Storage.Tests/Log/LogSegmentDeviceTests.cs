// The commit log's files are written and read on the log's own thread ("GrainKV log"), never on a thread-pool worker,
// and FASTER's completions run there; a log written that way reopens with every record, and one written by FASTER's
// own device (the same files) opens with it.

using System.Collections.Concurrent;
using System.Text;
using FASTER.core;

namespace GrainKV.Storage.Tests.Log;

public sealed class LogSegmentDeviceTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task TheLogsWritesAndReadsCompleteOnTheLogsOwnThread()
    {
        var completions = new ConcurrentQueue<Completion>();
        var options = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = LogDurability.Synced,
            LogDeviceWrapper = device => new ObservingDevice(device, completions),
        };

        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            for (var i = 0; i < 20; i++)
            {
                await engine.PutAsync(B($"key-{i}"), B($"value-{i}")).AsTask().WaitAsync(Bound);
            }
        }

        await using (var engine = await StorageEngine.OpenAsync(options)) // replays the log: reads its pages
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.True(engine.TryGet(B($"key-{i}"), out var value));
                Assert.Equal(B($"value-{i}"), value);
            }
        }

        Assert.Contains(completions, c => c.Write);
        Assert.Contains(completions, c => !c.Write);
        Assert.All(completions, c =>
        {
            Assert.Equal("GrainKV log", c.Thread);
            Assert.False(c.OnPool, "a log file's I/O completed on a thread-pool worker");
        });
    }

    [Fact]
    public async Task ALogWrittenByFastersOwnDeviceOpensAndTheOtherWayRound()
    {
        var withFastersDevice = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = LogDurability.Synced,
            LogDeviceWrapper = device =>
            {
                device.Dispose();
                return Devices.CreateLogDevice(device.FileName, preallocateFile: false, deleteOnClose: false);
            },
        };
        var withOurs = new StorageOptions { DataDirectory = _directory.Path, Durability = LogDurability.Synced };

        await using (var engine = await StorageEngine.OpenAsync(withFastersDevice))
        {
            await engine.PutAsync(B("by-faster"), B("1")).AsTask().WaitAsync(Bound);
        }

        await using (var engine = await StorageEngine.OpenAsync(withOurs))
        {
            Assert.True(engine.TryGet(B("by-faster"), out var value));
            Assert.Equal(B("1"), value);
            await engine.PutAsync(B("by-ours"), B("2")).AsTask().WaitAsync(Bound);
        }

        await using (var engine = await StorageEngine.OpenAsync(withFastersDevice))
        {
            Assert.True(engine.TryGet(B("by-faster"), out var first));
            Assert.True(engine.TryGet(B("by-ours"), out var second));
            Assert.Equal(B("1"), first);
            Assert.Equal(B("2"), second);
        }
    }

    private sealed record Completion(bool Write, string? Thread, bool OnPool);

    /// <summary>Forwards to the log's device and records the thread each read and write completes on.</summary>
    private sealed class ObservingDevice(IDevice inner, ConcurrentQueue<Completion> completions)
        : StorageDeviceBase(inner.FileName, inner.SectorSize, inner.Capacity)
    {
        public override void Initialize(long segmentSize, LightEpoch? epoch = null, bool omitSegmentIdFromFilename = false)
        {
            base.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
            inner.Initialize(segmentSize, epoch, omitSegmentIdFromFilename);
        }

        public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite, DeviceIOCompletionCallback callback, object context) =>
            inner.WriteAsync(sourceAddress, segmentId, destinationAddress, numBytesToWrite, Observed(write: true, callback), context);

        public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength, DeviceIOCompletionCallback callback, object context) =>
            inner.ReadAsync(segmentId, sourceAddress, destinationAddress, readLength, Observed(write: false, callback), context);

        public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result) => inner.RemoveSegmentAsync(segment, callback, result);

        public override long GetFileSize(int segment) => inner.GetFileSize(segment);

        public override bool TryComplete() => inner.TryComplete();

        public override void Dispose() => inner.Dispose();

        private DeviceIOCompletionCallback Observed(bool write, DeviceIOCompletionCallback callback) => (error, bytes, context) =>
        {
            completions.Enqueue(new Completion(write, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
            callback(error, bytes, context);
        };
    }

    public void Dispose() => _directory.Dispose();
}
