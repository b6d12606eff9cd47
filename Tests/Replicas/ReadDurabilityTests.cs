// A replica returns only durable versions: a read of a key written since the log's last commit waits for a
// commit that covers it, while a read of another key, even one guarded by the same lock stripe, does not wait. A
// read of the versions' headers (an overwrite's) never waits.

using System.IO.Hashing;
using System.Text;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Replicas;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.Replicas;

public sealed class ReadDurabilityTests
{
    [Fact]
    public async Task OnlyAReadOfARecentlyWrittenKeyWaitsForTheLog()
    {
        await using var cluster = await StartAsync();
        var (replicas, engine) = Replicas(cluster);

        // Two keys of range 0 guarded by the same lock stripe (low hash bits) with different durability marks.
        var written = Encoding.UTF8.GetBytes("written");
        var stripeOfWritten = Hash(written) & 1023;
        var neighbour = Enumerable.Range(0, int.MaxValue).Select(i => Encoding.UTF8.GetBytes($"neighbour-{i}"))
            .First(k => (Hash(k) & 1023) == stripeOfWritten && (Hash(k) >> 48 & 63) != (Hash(written) >> 48 & 63));
        await replicas.ApplyAsync(0, neighbour, [new StoredVersion("writer-durability/1", 1, VectorClock.Empty, 1, [1])]);
        await engine.WaitForLogAsync(engine.LogPosition); // the neighbour's write is durable

        await replicas.ApplyAsync(0, written, [new StoredVersion("writer-durability/1", 2, VectorClock.Empty, 1, [2])]);
        var afterWrite = engine.LogPosition;
        Assert.False(engine.WaitForLogAsync(afterWrite).IsCompleted); // not committed yet

        var neighbourRead = replicas.ReadAsync(0, neighbour);
        Assert.True(neighbourRead.IsCompleted);
        Assert.Single(await neighbourRead);

        var read = await replicas.ReadAsync(0, written);
        Assert.Single(read);
        Assert.True(engine.WaitForLogAsync(afterWrite).IsCompleted); // the read had the write committed first
    }

    [Fact]
    public async Task AReadOfHeadersDoesNotWaitForTheLogAndCarriesNoValues()
    {
        await using var cluster = await StartAsync();
        var (replicas, engine) = Replicas(cluster);
        var key = Encoding.UTF8.GetBytes("written");
        await replicas.ApplyAsync(0, key, [new StoredVersion("writer-headers/1", 1, VectorClock.Empty, 1, [1, 2, 3])]);

        // An overwrite's read: what a write supersedes needs no value, and no commit.
        var waitsBefore = engine.GetStatistics().CommitWaits;
        var headers = await replicas.ReadHeadersAsync(0, key).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(waitsBefore, engine.GetStatistics().CommitWaits);
        var version = Assert.Single(headers);
        Assert.Equal(("writer-headers/1", 1UL), (version.Node, version.Counter));
        Assert.Same(VersionSetCodec.NoValue, version.Value);

        // A read of the values waits for the write's commit.
        var values = await replicas.ReadAsync(0, key);
        Assert.Equal([1, 2, 3], Assert.Single(values).Value);
        Assert.Equal(waitsBefore + 1, engine.GetStatistics().CommitWaits);

        // A coordinator takes headers that match the values' as covered (no second read), from the version cache and
        // from the engine alike.
        Assert.True(ReadCore.Covers(values, headers));
        Assert.False(ReadCore.Lacks(headers, values));
        replicas.Cache.Forget(Hash(key), StorageKeys.Encode(0, key));
        var stored = await replicas.ReadHeadersAsync(0, key);
        Assert.True(ReadCore.Covers(values, stored));
        Assert.False(ReadCore.Lacks(stored, values));
    }

    /// <summary>One buffered node with no periodic commit during a test.</summary>
    private static Task<GrainKvCluster> StartAsync() => GrainKvCluster.StartAsync(1, o =>
    {
        (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1);
        o.Durability = GrainKV.Storage.LogDurability.Buffered;
        o.CommitInterval = TimeSpan.FromMinutes(1);
    });

    private static (LocalReplicas Replicas, GrainKV.Storage.StorageEngine Engine) Replicas(GrainKvCluster cluster) =>
        (cluster.Service<LocalReplicas>(cluster.Cluster.Silos[0]), cluster.Service<LocalStore>(cluster.Cluster.Silos[0]).Engine);

    private static ulong Hash(byte[] key) => XxHash3.HashToUInt64(StorageKeys.Encode(0, key));
}
