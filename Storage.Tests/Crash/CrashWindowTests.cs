// A simulated crash in every window of flush and compaction: before and after the table fsync, the table
// rename and its directory fsync, the manifest fsync, rename and directory fsync, and the log truncation
// (or the release of compaction inputs). The crash stops the engine at that point (the fault-injecting
// file system or the engine's crash-point hook throws), drops every byte and directory entry that was not
// durable, and reopens: every acknowledged write must be there, and the engine must keep working.

using System.Text;
using GrainKV.Storage.Tests.Faults;

namespace GrainKV.Storage.Tests.Crash;

public sealed class CrashWindowTests : IDisposable
{
    private const int BatchSize = 200;
    private readonly TempDirectory _directory = new();

    /// <summary>Windows in the order the steps happen. "op suffix" crashes before the first such file system
    /// operation on a path ending with the suffix, "syncdir n" before the n-th directory fsync, "hook name" at the
    /// engine's crash point.</summary>
    public static TheoryData<string, string, bool> Windows()
    {
        var data = new TheoryData<string, string, bool>();
        string[] fileSteps =
        [
            "create .sst.tmp", "sync .sst.tmp", "move .sst.tmp", "syncdir 1",
            "create MANIFEST.tmp", "sync MANIFEST.tmp", "move MANIFEST.tmp", "syncdir 2",
        ];
        foreach (var commitLog in new[] { false, true })
        {
            foreach (var step in fileSteps)
            {
                data.Add("flush", step, commitLog);
                data.Add("compaction", step, commitLog);
            }

            data.Add("flush", "hook " + CrashPoints.FlushManifestWritten, commitLog);
            data.Add("flush", "hook " + CrashPoints.FlushLogTruncated, commitLog);
            data.Add("compaction", "hook " + CrashPoints.CompactionManifestWritten, commitLog);
            data.Add("compaction", "hook " + CrashPoints.CompactionInputsReleased, commitLog);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task ACrashInAnyWindowOfFlushOrCompactionLosesNoAcknowledgedWrite(string work, string window, bool commitLogAtCrash)
    {
        var files = new FaultInjectingFileSystem();
        var armed = false;
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = Options(files);
        options.CrashPointHook = point =>
        {
            if (armed && window == "hook " + point)
            {
                crashed.TrySetResult();
                throw new SimulatedCrashException($"Simulated crash at {point}.");
            }
        };

        var engine = await StorageEngine.OpenAsync(options);
        var batches = work == "flush" ? 2 : 4;
        for (var batch = 0; batch < batches; batch++)
        {
            await PutBatchAsync(engine, batch);
            if (work == "compaction" || batch == 0)
            {
                await engine.FlushAsync();
            }
        }

        var crashHere = CrashPredicate(window);
        files.CrashBefore = (operation, path) => crashHere(operation, path) && crashed.TrySetResult();
        armed = true;
        var running = work == "flush" ? engine.FlushAsync() : engine.CompactAsync();

        // The work may finish (from its caller's view) before a crash point after the state swap: wait for the crash itself.
        await crashed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await engine.SimulateCrashAsync(commitLogAtCrash);
        await EndedAsync(running);
        files.Crash();

        await using (var reopened = await StorageEngine.OpenAsync(Options(new FaultInjectingFileSystem())))
        {
            AssertBatches(reopened, batches);
            await PutBatchAsync(reopened, batches);
            await reopened.CompactAsync();
            AssertBatches(reopened, batches + 1);
        }

        await using (var reopened = await StorageEngine.OpenAsync(Options(new FaultInjectingFileSystem())))
        {
            AssertBatches(reopened, batches + 1);
            Assert.Equal(1, reopened.GetStatistics().Tables);
        }
    }

    /// <summary>Waits for the interrupted work: it either finished before the crash point or failed with it.</summary>
    private static async Task EndedAsync(Task running)
    {
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is StorageException or ObjectDisposedException)
        {
        }
    }

    private static Func<string, string, bool> CrashPredicate(string window)
    {
        var parts = window.Split(' ', 2);
        if (parts[0] == "hook")
        {
            return (_, _) => false;
        }

        if (parts[0] == "syncdir")
        {
            var remaining = int.Parse(parts[1]);
            return (operation, _) => operation == "syncdir" && --remaining == 0;
        }

        return (operation, path) => operation == parts[0] && path.EndsWith(parts[1], StringComparison.Ordinal);
    }

    private StorageOptions Options(FaultInjectingFileSystem files) => new()
    {
        DataDirectory = _directory.Path,
        Durability = LogDurability.Synced,
        MemTableSize = 1024 * 1024,
        CompactionTrigger = 10,
        MaxTables = 10,
        StallTables = 20,
        FileSystem = files,
    };

    private static async Task PutBatchAsync(StorageEngine engine, int batch) =>
        await Task.WhenAll(Enumerable.Range(0, BatchSize).Select(i => engine.PutAsync(Key(batch, i), Value(batch, i)).AsTask()));

    private static void AssertBatches(StorageEngine engine, int batches)
    {
        for (var batch = 0; batch < batches; batch++)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                Assert.True(engine.TryGet(Key(batch, i), out var value), $"batch {batch} key {i} is missing");
                Assert.Equal(Value(batch, i), value);
            }
        }

        Assert.Equal(batches * BatchSize, engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Count());
    }

    private static byte[] Key(int batch, int i) => Encoding.UTF8.GetBytes($"b{batch}-k{i:D4}");

    private static byte[] Value(int batch, int i) => Encoding.UTF8.GetBytes($"value-{batch}-{i}-{new string('v', 60)}");

    public void Dispose() => _directory.Dispose();
}
