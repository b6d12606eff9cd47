// A failed commit of the log stops writes and surfaces as the engine's typed exception: synced writers
// waiting for the commit fail, and with buffered durability every later write fails (like a background
// failure). Nothing is acknowledged that the log did not make durable.

using System.Text;
using FASTER.core;

namespace GrainKV.Storage.Tests.Faults;

public sealed class LogCommitFailureTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();
    private FailingLogDevice? _device;

    private StorageOptions Options(LogDurability durability) => new()
    {
        DataDirectory = _directory.Path,
        Durability = durability,
        CommitInterval = TimeSpan.FromHours(1),
        LogDeviceWrapper = device => _device = new FailingLogDevice(device),
    };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task ASyncedWriteWhoseCommitFailsFailsAndSoDoesEveryLaterWrite()
    {
        await using var engine = await StorageEngine.OpenAsync(Options(LogDurability.Synced));
        await engine.PutAsync(B("before"), B("1"));

        _device!.FailWrites();
        var error = await Assert.ThrowsAnyAsync<StorageException>(() => engine.PutAsync(B("during"), B("2")).AsTask().WaitAsync(Bound));
        Assert.IsType<CommitLogException>(error);
        Assert.IsAssignableFrom<FasterException>(error.InnerException);

        await Assert.ThrowsAnyAsync<StorageException>(() => engine.PutAsync(B("after"), B("3")).AsTask().WaitAsync(Bound));
        await Assert.ThrowsAnyAsync<StorageException>(() => engine.DeleteAsync(B("before")).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task ABufferedCommitThatFailsStopsLaterWrites()
    {
        await using var engine = await StorageEngine.OpenAsync(Options(LogDurability.Buffered));
        await engine.PutAsync(B("before"), B("1"));
        await engine.WaitForLogAsync(engine.LogPosition);

        _device!.FailWrites();
        await engine.PutAsync(B("during"), B("2")); // buffered: acknowledged before any commit
        var error = await Assert.ThrowsAnyAsync<StorageException>(() => engine.WaitForLogAsync(engine.LogPosition).AsTask().WaitAsync(Bound));
        Assert.IsType<CommitLogException>(error);

        await Assert.ThrowsAnyAsync<StorageException>(() => engine.PutAsync(B("after"), B("3")).AsTask().WaitAsync(Bound));
        await Assert.ThrowsAnyAsync<StorageException>(() => engine.FlushAsync().WaitAsync(Bound));
    }

    public void Dispose() => _directory.Dispose();
}
