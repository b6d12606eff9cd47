// Faults under the table and manifest writers: a torn table write or a torn manifest write during a
// flush, followed by a crash that drops unsynced data, loses nothing acknowledged; a bit flipped on its
// way to disk is detected on read as corruption naming the table.

using System.Text;

namespace GrainKV.Storage.Tests.Faults;

public sealed class FaultInjectionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private StorageOptions Options(FaultInjectingFileSystem files) => new()
    {
        DataDirectory = _directory.Path,
        MemTableSize = 1024 * 1024,
        Durability = LogDurability.Buffered,
        FileSystem = files,
    };

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key{i:D5}");

    private static byte[] Value(int i) => Encoding.UTF8.GetBytes($"value-{i}-{new string('z', 80)}");

    [Theory]
    [InlineData(".sst.tmp", 3000L)]
    [InlineData("MANIFEST.tmp", 10L)]
    public async Task ATornWriteDuringAFlushThenACrashLosesNothingAcknowledged(string file, long atByte)
    {
        var files = new FaultInjectingFileSystem();
        await using (var engine = await StorageEngine.OpenAsync(Options(files)))
        {
            for (var i = 0; i < 2000; i++)
            {
                await engine.PutAsync(Key(i), Value(i));
            }

            files.TearNextWrite = (file, atByte);
            var failure = await Assert.ThrowsAsync<StorageException>(() => engine.FlushAsync());
            Assert.IsType<IOException>(failure.InnerException);
            await Assert.ThrowsAsync<StorageException>(async () => await engine.PutAsync(Key(0), Value(0)));
        }

        files.DropUnsyncedData();
        await using (var engine = await StorageEngine.OpenAsync(Options(new FaultInjectingFileSystem())))
        {
            for (var i = 0; i < 2000; i++)
            {
                Assert.True(engine.TryGet(Key(i), out var value), $"key {i}");
                Assert.Equal(Value(i), value);
            }

            Assert.Empty(Directory.GetFiles(_directory.Path, "*.tmp"));
            await engine.FlushAsync();
            Assert.Equal(1, engine.GetStatistics().Tables);
        }
    }

    [Fact]
    public async Task DroppingUnsyncedDataAfterCleanFlushesKeepsEveryTable()
    {
        var files = new FaultInjectingFileSystem();
        await using (var engine = await StorageEngine.OpenAsync(Options(files)))
        {
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < 1000; i++)
                {
                    await engine.PutAsync(Key(round * 1000 + i), Value(round * 1000 + i));
                }

                await engine.FlushAsync();
            }
        }

        files.DropUnsyncedData();
        await using (var engine = await StorageEngine.OpenAsync(Options(new FaultInjectingFileSystem())))
        {
            Assert.Equal(3000, engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Count());
        }
    }

    [Fact]
    public async Task ABitFlippedOnItsWayToDiskIsDetectedAsCorruption()
    {
        var files = new FaultInjectingFileSystem { FlipBitInNextFile = (".sst.tmp", 100L) };
        await using var engine = await StorageEngine.OpenAsync(Options(files));
        for (var i = 0; i < 500; i++)
        {
            await engine.PutAsync(Key(i), Value(i));
        }

        await engine.FlushAsync();
        var error = Assert.Throws<CorruptionException>(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                engine.TryGet(Key(i), out _);
            }
        });
        Assert.EndsWith(".sst", error.File, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
