// Flushing and compaction run side by side: while a merge is in progress (held here inside the compaction's
// rewrite hook), memtables still flush and writers are not held back; when the merge ends, it is published
// around the tables flushed meanwhile, and every key reads back, also after reopening. Each runs on a thread of its
// own, at a lower priority, not on the thread pool's workers, and published back on the pool.

using System.Text;
using GrainKV.Storage.Compaction;
using GrainKV.Storage.Tests.Faults;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class BackgroundWorkTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task MemtablesFlushWhileACompactionIsInProgressAndTheMergeIsPublishedAroundThem()
    {
        var merging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        CompactionRewrite holdFirstMerge = (_, _) =>
        {
            if (merging.TrySetResult())
            {
                release.Wait(Bound);
            }

            return null;
        };
        await using (var engine = await StorageEngine.OpenAsync(Options(holdFirstMerge)))
        {
            await WriteBatchAsync(engine, 0);
            await engine.FlushAsync();
            await WriteBatchAsync(engine, 1);
            await engine.FlushAsync();
            await merging.Task.WaitAsync(Bound); // two tables: the compaction has started, and is held

            // A held merge must not keep these memtables from flushing.
            for (var batch = 2; batch < 5; batch++)
            {
                await WriteBatchAsync(engine, batch).AsTask().WaitAsync(Bound);
                await engine.FlushAsync().WaitAsync(Bound);
            }

            var during = engine.GetStatistics();
            Assert.Equal(0, during.Compactions);
            Assert.Equal(5, during.Tables);

            release.Set();
            await engine.CompactAsync().WaitAsync(Bound);
            Assert.Equal(1, engine.GetStatistics().Tables);
            AssertEveryBatchReads(engine, 5);
        }

        await using var reopened = await StorageEngine.OpenAsync(Options(null));
        AssertEveryBatchReads(reopened, 5);
    }

    [Fact]
    public async Task TablesAreWrittenOnThreadsOfTheirOwnAtALowerPriorityAndPublishedOnThePool()
    {
        // Where each table file is created (the flush's or compaction's write) and where each is published.
        var written = new List<(string? Name, bool PoolWorker, int? Nice)>();
        var published = new List<bool>();
        var files = new FaultInjectingFileSystem
        {
            CrashBefore = (operation, path) =>
            {
                if (operation == "create" && path.EndsWith(".sst.tmp", StringComparison.Ordinal))
                {
                    lock (written)
                    {
                        written.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, NiceOfThisThread()));
                    }
                }

                return false;
            },
        };
        var options = Options(null);
        options.FileSystem = files;
        options.BackgroundNice = 5;
        options.CrashPointHook = point =>
        {
            if (point is CrashPoints.FlushManifestWritten or CrashPoints.CompactionManifestWritten)
            {
                lock (published)
                {
                    published.Add(Thread.CurrentThread.IsThreadPoolThread);
                }
            }
        };
        var creators = NiceOfThisThread();

        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            await WriteBatchAsync(engine, 0);
            await engine.FlushAsync().WaitAsync(Bound);
            await WriteBatchAsync(engine, 1);
            await engine.FlushAsync().WaitAsync(Bound);
            await engine.CompactAsync().WaitAsync(Bound);
            AssertEveryBatchReads(engine, 2);
        }

        int? lowered = creators is { } nice ? Math.Min(19, nice + 5) : null;
        Assert.Equal(2, written.Count(w => w == ("GrainKV flush", false, lowered)));
        Assert.Contains(("GrainKV compaction", false, lowered), written);
        Assert.All(written, w => Assert.False(w.PoolWorker));

        // Writers that rotate a memtable wait for the lock a table is published under: never at the lowered priority.
        Assert.True(published.Count >= 3);
        Assert.All(published, Assert.True);
    }

    private static int? NiceOfThisThread() =>
        OperatingSystem.IsLinux() ? BackgroundThreadTests.NiceOf("/proc/thread-self/stat") : null;

    private StorageOptions Options(CompactionRewrite? rewrite) =>
        new() { DataDirectory = _directory.Path, CompactionTrigger = 2, CompactionRewrite = rewrite };

    private static async ValueTask WriteBatchAsync(StorageEngine engine, int batch)
    {
        for (var i = 0; i < 100; i++)
        {
            await engine.PutAsync(B($"b{batch}-k{i:D3}"), B($"value {batch}/{i}"));
        }
    }

    private static void AssertEveryBatchReads(StorageEngine engine, int batches)
    {
        for (var batch = 0; batch < batches; batch++)
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.True(engine.TryGet(B($"b{batch}-k{i:D3}"), out var value), $"b{batch}-k{i:D3} is missing");
                Assert.Equal($"value {batch}/{i}", Encoding.UTF8.GetString(value));
            }
        }
    }

    public void Dispose() => _directory.Dispose();
}
