// What a request counts toward its batch's size: a read that brings values back counts the largest value it may
// bring, so a batch of reads of large values stays within a message (each read of a value at the 4 MiB limit goes
// alone); a read of headers counts its key, a write its value.

using GrainKV.Batching;
using GrainKV.Versioning;

namespace GrainKV.Tests.Batching;

public sealed class BatchSizeTests
{
    private const int LargestEntry = 4 * 1024 * 1024;
    private static readonly byte[] Key = [1, 2, 3];

    [Fact]
    public void AReplicaReadWithValuesCountsTheValueItMayBringBackAndOtherOperationsTheirOwnPayload()
    {
        var values = new ReplicaRequest(ReplicaRequestKind.Read, 0, Key);
        var headers = new ReplicaRequest(ReplicaRequestKind.Read, 0, Key, WithoutValues: true);
        var create = new ReplicaRequest(ReplicaRequestKind.Coordinate, 0, Key, new byte[1000], CausalContext.Empty);

        Assert.Equal(values.ApproximateBytes(0) + 10_000, values.ApproximateBytes(10_000));
        Assert.Equal(headers.ApproximateBytes(0), headers.ApproximateBytes(LargestEntry));
        Assert.Equal(create.ApproximateBytes(0), create.ApproximateBytes(LargestEntry));
        Assert.True(create.ApproximateBytes(0) >= 1000);
        Assert.True(values.ApproximateBytes(LargestEntry) > BatchLimits.Default.MaxBatchBytes / 2, "two such reads would share a batch");
    }

    [Fact]
    public void AClientGetCountsTheValueItMayBringBackAndAWriteItsValue()
    {
        var get = new KeyRangeRequest(KeyRangeRequestKind.Get, 0, Key, Read: ReadOptions.Default);
        var put = new KeyRangeRequest(KeyRangeRequestKind.Put, 0, Key, new byte[1000], CausalContext.Empty, Write: WriteOptions.Default);

        Assert.Equal(get.ApproximateBytes(0) + 10_000, get.ApproximateBytes(10_000));
        Assert.Equal(put.ApproximateBytes(0), put.ApproximateBytes(LargestEntry));
        Assert.True(put.ApproximateBytes(0) >= 1000);
        Assert.True(get.ApproximateBytes(LargestEntry) > BatchLimits.Default.MaxBatchBytes / 2, "two such reads would share a batch");
    }
}
