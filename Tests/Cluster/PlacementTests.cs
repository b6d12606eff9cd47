// Ring-aware placement: replicas activate only on their own node's silo (and fail fast for a node that
// is not active). Where coordinators run is covered by CoordinationTests.

using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Cluster;

public sealed class PlacementTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private GrainKvCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task ReplicasActivateOnTheirOwnNode()
    {
        foreach (var silo in Cluster.Cluster.Silos)
        {
            var replica = Cluster.Grains.GetGrain<IReplicaGrain>(ReplicaKey.Format(silo.Name, 7));
            await replica.Read([1]);
            Assert.Equal(silo.SiloAddress, SiloOf(replica.GetGrainId()));
        }
    }

    [Fact]
    public async Task AReplicaOfAnUnknownNodeFailsFast()
    {
        var replica = Cluster.Grains.GetGrain<IReplicaGrain>(ReplicaKey.Format("no-such-node", 7));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => replica.Read([1]));
        Assert.Contains("no-such-node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusShowsEveryNodeLiveAndTheirShareOfTheRing()
    {
        var status = await Cluster.Client.GetStatusAsync();
        Assert.Equal(Cluster.Cluster.Silos.Select(s => s.Name).Order(), status.Nodes.Select(n => n.NodeId));
        Assert.All(status.Nodes, n => Assert.True(n.IsLive));
        Assert.Equal(status.RangeCount, status.Nodes.Sum(n => n.PrimaryRanges));
        Assert.Equal(status.RangeCount * 3, status.Nodes.Sum(n => n.ReplicaRanges));
        Assert.All(status.Nodes, n => Assert.Equal(status.RangeCount, n.ReplicaRanges));
    }

    private Orleans.Runtime.SiloAddress? SiloOf(Orleans.Runtime.GrainId grain) =>
        Cluster.Cluster.TryGetGrainContext(grain, out var context) ? context.Address.SiloAddress : null;
}
