// IReplicaService.Batch between two silos: each request of a batch is answered in its own place, a bad request
// fails only its own answer, and what the batch wrote is what a later batch reads. Operations a coordinator sends
// another node are counted, with the messages that carried them.

using System.Text;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GrainKV.Tests.Replicas;

public sealed class TwoSilos : IAsyncLifetime
{
    public GrainKvCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(2);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class ReplicaBatchTests(TwoSilos silos) : IClassFixture<TwoSilos>
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);

    [Fact]
    public async Task ABatchedOverwritingCreationSupersedesTheSiblingsTheReceiverHolds()
    {
        var cluster = silos.Cluster;
        var (from, to) = (cluster.Cluster.Silos[0], cluster.Cluster.Silos[1]);
        var service = cluster.Service<ReplicaServiceClient>(from).On(to.SiloAddress);
        var key = B("batched-overwrite");
        ReplicaRequest Create(string value, bool overwrite) =>
            new(ReplicaRequestKind.Coordinate, RangeOf(key), key, B(value), CausalContext.Empty, Overwrite: overwrite);

        await service.Batch([Create("a", false)]);
        var siblings = await service.Batch([Create("b", false)]);
        Assert.Equal(2, siblings[0].Versions!.Length);

        var overwritten = await service.Batch([Create("c", true)]);
        Assert.Equal("c", Encoding.UTF8.GetString(Assert.Single(overwritten[0].Versions!).Value!));
    }

    [Fact]
    public async Task EachRequestOfABatchIsAnsweredInItsPlaceAndABadOneFailsAlone()
    {
        var cluster = silos.Cluster;
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

    [Fact]
    public async Task OperationsSentToAnotherNodeAreCountedWithTheMessagesThatCarriedThem()
    {
        var cluster = silos.Cluster;
        var (from, to) = (cluster.Cluster.Silos[0], cluster.Cluster.Silos[1]);
        using var operations = new MetricCollector<long>(cluster.Service<GrainKvMetrics>(from).Meter, "grainkv.replica.operations_sent");
        using var messages = new MetricCollector<long>(cluster.Service<GrainKvMetrics>(from).Meter, "grainkv.replica.messages_sent");
        var router = cluster.Service<ReplicaRouter>(from);

        var keys = Enumerable.Range(0, 200).Select(i => B($"counted-{i}")).ToArray();
        await Task.WhenAll(keys.Select(key => router.Read(to.Name, RangeOf(key), key)));

        var sent = operations.GetMeasurementSnapshot().Sum(m => m.Value);
        var carried = messages.GetMeasurementSnapshot().Sum(m => m.Value);
        Assert.True(sent >= keys.Length, $"{sent} operations counted for {keys.Length} reads");
        Assert.InRange(carried, 1, sent);
    }
}
