// The manifest's log start must be an address the log committed: a flush waits for the commit covering
// the flushed memtable before naming its end, and an engine refuses a manifest whose log start lies
// outside the committed log [begin, committed] (replay would skip or invent records).

using System.Text;
using GrainKV.Storage.IO;
using GrainKV.Storage.Manifest;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class ManifestLogStartTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private StorageOptions Options(LogDurability durability) => new()
    {
        DataDirectory = _directory.Path,
        Durability = durability,
        CommitInterval = TimeSpan.FromHours(1),
    };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task SyncedWritesAfterACrashFollowingABufferedFlushSurviveASecondCrash()
    {
        // Buffered writes, never committed (the commit interval is an hour), then a flush and a crash.
        var engine = await StorageEngine.OpenAsync(Options(LogDurability.Buffered));
        for (var i = 0; i < 100; i++)
        {
            await engine.PutAsync(B($"buffered{i:D3}"), B($"b{i}"));
        }

        await engine.FlushAsync();
        await engine.SimulateCrashAsync(commitLog: false);

        // Acknowledged (synced) writes after recovery, then a second crash.
        engine = await StorageEngine.OpenAsync(Options(LogDurability.Synced));
        for (var i = 0; i < 100; i++)
        {
            await engine.PutAsync(B($"synced{i:D3}"), B($"s{i}"));
        }

        await engine.SimulateCrashAsync(commitLog: false);

        await using var reopened = await StorageEngine.OpenAsync(Options(LogDurability.Synced));
        for (var i = 0; i < 100; i++)
        {
            Assert.True(reopened.TryGet(B($"synced{i:D3}"), out var value), $"acknowledged key synced{i:D3} is missing");
            Assert.Equal(B($"s{i}"), value);
        }
    }

    [Theory]
    [InlineData(1L << 40)] // past the committed log
    [InlineData(0L)] // before the log's begin address, after a truncation
    public async Task AManifestLogStartOutsideTheCommittedLogIsCorruption(long logStart)
    {
        await using (var engine = await StorageEngine.OpenAsync(Options(LogDurability.Synced)))
        {
            for (var i = 0; i < 100; i++)
            {
                await engine.PutAsync(B($"k{i:D3}"), B($"v{i}"));
            }

            await engine.FlushAsync();
            await engine.PutAsync(B("after"), B("flush"));
        }

        var manifest = ManifestFile.Read(_directory.Path)!;
        Assert.True(manifest.LogStart > 0);
        ManifestFile.Write(LocalFileSystem.Instance, _directory.Path, manifest with { LogStart = logStart });

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options(LogDurability.Synced)));
        Assert.Equal(Path.Combine(_directory.Path, ManifestFile.FileName), error.File);
    }

    public void Dispose() => _directory.Dispose();
}
