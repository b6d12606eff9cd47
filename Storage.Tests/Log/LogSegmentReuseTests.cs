// Removed log segments are kept as spares (StorageOptions.LogSpareSegments) and the log's next new segments are
// spares renamed. A reused segment holds an earlier segment's records past the log's tail; recovery must never read
// them: through repeated crashes, every acknowledged write reads back as the model says. Spares are bounded, taken
// over from an earlier run and skipped when gone, and a removal that comes after the log closed leaves the files alone.

using System.Text;

namespace GrainKV.Storage.Tests.Log;

public sealed class LogSegmentReuseTests : IDisposable
{
    private const int PageBits = 12; // 4 KiB pages, 32 KiB segments: a few hundred writes fill several
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();

    private string LogDirectory => Path.Combine(_directory.Path, "log");

    private StorageOptions Options(int spares = 2) => new()
    {
        DataDirectory = _directory.Path,
        Durability = LogDurability.Synced,
        LogPageSizeBits = PageBits,
        MaxValueSize = 2048,
        LogSpareSegments = spares,
        MemTableSize = 16 * 1024, // flushes often, so the log is truncated and segments removed
    };

    [Fact]
    public async Task EveryAcknowledgedWriteSurvivesCrashesWhileTheLogReusesSegments()
    {
        var model = new Dictionary<string, byte[]?>();
        var random = new Random(7);
        long reused = 0;
        for (var cycle = 0; cycle < 6; cycle++)
        {
            var engine = await StorageEngine.OpenAsync(Options());
            AssertMatches(engine, model, $"after crash {cycle}");

            // Records of many sizes, so that pages end in padding where a reused segment's old bytes lay.
            for (var i = 0; i < 250; i++)
            {
                var key = $"key-{random.Next(120)}";
                if (random.Next(8) == 0)
                {
                    await engine.DeleteAsync(B(key)).AsTask().WaitAsync(Bound);
                    model[key] = null;
                }
                else
                {
                    var value = new byte[random.Next(1, 1800)];
                    random.NextBytes(value);
                    await engine.PutAsync(B(key), value).AsTask().WaitAsync(Bound);
                    model[key] = value;
                }
            }

            reused += engine.GetStatistics().LogSegmentsReused;
            await engine.SimulateCrashAsync(commitLog: false); // every write above was acknowledged, so committed
        }

        Assert.True(reused > 0, "the log began no segment in a removed segment's file");
        await using var last = await StorageEngine.OpenAsync(Options());
        AssertMatches(last, model, "after the last crash");
    }

    [Fact]
    public async Task SparesAreBoundedAndNoneAreKeptWhenTheOptionIsZero()
    {
        await using (var engine = await StorageEngine.OpenAsync(Options(spares: 1)))
        {
            await WriteAsync(engine, count: 400);
            Assert.True(engine.GetStatistics().LogSegmentsReused > 0);
            Assert.True(SpareFiles().Length <= 1, $"spares kept: {string.Join(", ", SpareFiles())}");
        }

        await using (var engine = await StorageEngine.OpenAsync(Options(spares: 0)))
        {
            Assert.Empty(SpareFiles()); // a spare an earlier run kept, beyond the number now allowed, is deleted
            await WriteAsync(engine, count: 400);
            Assert.Equal(0, engine.GetStatistics().LogSegmentsReused);
            Assert.Empty(SpareFiles());
        }
    }

    [Fact]
    public async Task SparesAnEarlierRunLeftAreTakenOverUpToTheLimit()
    {
        await (await StorageEngine.OpenAsync(Options(spares: 0))).DisposeAsync(); // an empty store, no spare
        for (var i = 0; i < 3; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(LogDirectory, $"spare-segment.{i}"), new byte[32 * 1024]);
        }

        await using var engine = await StorageEngine.OpenAsync(Options(spares: 2));
        Assert.Equal(2, SpareFiles().Length);

        // The log's next new segments begin in the spares taken over; the writes read back after a crash.
        var written = await WriteAsync(engine, count: 60);
        Assert.True(engine.GetStatistics().LogSegmentsReused > 0);
        await engine.SimulateCrashAsync(commitLog: false);
        await using var reopened = await StorageEngine.OpenAsync(Options(spares: 2));
        AssertMatches(reopened, written, "after the crash");
    }

    [Fact]
    public async Task ASpareGoneFromTheDirectoryIsSkipped()
    {
        await (await StorageEngine.OpenAsync(Options(spares: 0))).DisposeAsync(); // an empty store, no spare
        var spare = Path.Combine(LogDirectory, "spare-segment.0");
        await File.WriteAllBytesAsync(spare, new byte[32 * 1024]);

        var engine = await StorageEngine.OpenAsync(Options(spares: 2));
        File.Delete(spare); // taken over at open, then gone before the log needs it
        var written = await WriteAsync(engine, count: 60); // the log begins new segments: the first as a new file
        AssertMatches(engine, written, "after the writes");
        await engine.SimulateCrashAsync(commitLog: false);
        await using var reopened = await StorageEngine.OpenAsync(Options(spares: 2));
        AssertMatches(reopened, written, "after a crash");
    }

    [Fact]
    public void ARemovalAfterTheDeviceIsDisposedLeavesTheFileAlone()
    {
        // FASTER runs a truncation's removals as a task that may outlive the log, when another log may have opened the
        // directory: the late removal must neither rename the segment into a spare nor delete it.
        var log = Path.Combine(_directory.Path, "commit.log");
        File.WriteAllBytes(log + ".0", new byte[4096]);
        File.WriteAllBytes(log + ".1", new byte[4096]);
        var device = new GrainKV.Storage.Log.LogSegmentDevice(log, maxSpares: 1);
        device.RemoveSegment(0);
        Assert.False(File.Exists(log + ".0"));
        Assert.Single(Directory.GetFiles(_directory.Path, "spare-segment.*"));

        device.Dispose();
        device.RemoveSegment(1);
        Assert.True(File.Exists(log + ".1"), "a removal after the device was disposed removed the segment");
        Assert.Single(Directory.GetFiles(_directory.Path, "spare-segment.*"));
    }

    private static async Task<Dictionary<string, byte[]?>> WriteAsync(StorageEngine engine, int count)
    {
        var written = new Dictionary<string, byte[]?>();
        for (var i = 0; i < count; i++)
        {
            var value = new byte[1000];
            Random.Shared.NextBytes(value);
            var key = $"key-{i % 50}";
            await engine.PutAsync(B(key), value).AsTask().WaitAsync(Bound);
            written[key] = value;
        }

        return written;
    }

    private static void AssertMatches(StorageEngine engine, Dictionary<string, byte[]?> model, string when)
    {
        foreach (var (key, expected) in model)
        {
            var found = engine.TryGet(B(key), out var value) ? value : null;
            Assert.True(
                expected is null ? found is null : found is not null && found.AsSpan().SequenceEqual(expected),
                $"{when}: {key} is {Describe(found)}, expected {Describe(expected)}");
        }
    }

    private static string Describe(byte[]? value) => value is null ? "absent" : $"{value.Length} bytes";

    private string[] SpareFiles() => Directory.GetFiles(LogDirectory, "spare-segment.*");

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public void Dispose() => _directory.Dispose();
}
