// The commit log counts its commits and the requests that waited for one (StorageEngine.GetStatistics, published as
// grainkv.engine.log.commits / .commit_waits): a wait for a record not yet committed counts once and brings a commit;
// a wait for a record already committed is neither; a synced write waits for its own commit.

using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Storage.Tests.Log;

public sealed class CommitCountersTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();

    private Task<StorageEngine> OpenAsync(LogDurability durability) =>
        StorageEngine.OpenAsync(
            new StorageOptions
            {
                DataDirectory = _directory.Path,
                Durability = durability,
                CommitInterval = TimeSpan.FromHours(1), // no periodic commit: the fake clock never moves
                CommitSpacing = TimeSpan.Zero,
            },
            new FakeTimeProvider(),
            NullLoggerFactory.Instance).AsTask();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task AWaitForAnUncommittedRecordCountsOnceAndBringsACommit()
    {
        await using var engine = await OpenAsync(LogDurability.Buffered);
        var before = engine.GetStatistics();

        await engine.PutAsync(B("key"), B("value"));
        Assert.Equal(before.LogCommits, engine.GetStatistics().LogCommits); // buffered: the write did not commit

        await engine.WaitForLogAsync(engine.LogPosition).AsTask().WaitAsync(Bound);
        var afterWait = engine.GetStatistics();
        Assert.Equal(before.CommitWaits + 1, afterWait.CommitWaits);
        Assert.True(afterWait.LogCommits > before.LogCommits, "the wait asked for a commit");

        // Already durable: no wait, no commit.
        Assert.True(engine.WaitForLogAsync(engine.LogPosition).IsCompleted);
        Assert.Equal(afterWait, engine.GetStatistics());
    }

    [Fact]
    public async Task EverySyncedWriteWaitsForACommit()
    {
        await using var engine = await OpenAsync(LogDurability.Synced);
        var before = engine.GetStatistics();

        for (var i = 0; i < 3; i++)
        {
            await engine.PutAsync(B($"key-{i}"), B("v")).AsTask().WaitAsync(Bound);
        }

        var after = engine.GetStatistics();
        Assert.Equal(before.CommitWaits + 3, after.CommitWaits);
        Assert.True(after.LogCommits >= before.LogCommits + 3, $"{after.LogCommits - before.LogCommits} commits for three writes made one after another");
    }

    public void Dispose() => _directory.Dispose();
}
