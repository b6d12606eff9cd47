// IReplicaService.Batch between two silos: each request of a batch is answered in its own place, a bad request
// fails only its own answer, and what the batch wrote is what a later batch reads.

using System.Text;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.Replicas;

public sealed class ReplicaBatchTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);

    [Fact]
    public async Task EachRequestOfABatchIsAnsweredInItsPlaceAndABadOneFailsAlone()
    {
        await using var cluster = await GrainKvCluster.StartAsync(2);
        var (from, to) = (cluster.Cluster.Silos[0], cluster.Cluster.Silos[1]);
        var service = cluster.Service<ReplicaServiceClient>(from).On(to.SiloAddress);
        byte[] good = B("batched-good"), bad = B("batched-bad"), applied = B("batched-applied");

        var written = await service.Batch(
        [
            new ReplicaRequest(ReplicaRequestKind.Coordinate, RangeOf(good), good, B("v1"), CausalContext.Empty),
            new ReplicaRequest(ReplicaRequestKind.Coordinate, RangeOf(bad), bad, B("no context")),
            new ReplicaRequest(ReplicaRequestKind.Apply, RangeOf(applied), applied),
        ]);

        Assert.Equal(3, written.Length);
        Assert.Null(written[0].Error);
        Assert.Equal("v1", Encoding.UTF8.GetString(Assert.Single(written[0].Versions!).Value!));
        Assert.IsType<InvalidRequestException>(written[1].Error);
        Assert.IsType<InvalidRequestException>(written[2].Error);

        var read = await service.Batch(
        [
            new ReplicaRequest(ReplicaRequestKind.Read, RangeOf(bad), bad),
            new ReplicaRequest(ReplicaRequestKind.Read, RangeOf(good), good),
        ]);

        Assert.Empty(read[0].Versions!);
        var stored = Assert.Single(read[1].Versions!);
        Assert.Equal((written[0].Versions![0].Node, written[0].Versions![0].Counter, "v1"), (stored.Node, stored.Counter, Encoding.UTF8.GetString(stored.Value!)));
    }
}
