// A node's datacenter label, set in its node options, reaches every silo's ring view through the silo metadata.

using GrainKV.Grains.Membership;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Membership;

public sealed class DatacenterLabelTests
{
    [Fact]
    public async Task EverySiloSeesTheConfiguredDatacenterOfEveryNode()
    {
        await using var cluster = await GrainKvCluster.StartAsync(2, o => o.Datacenter = "dc-east");

        foreach (var silo in cluster.Cluster.Silos)
        {
            var ring = cluster.Service<RingService>(silo);
            await Eventually.HoldsAsync(
                () => Task.FromResult(ring.Current.Nodes.Count == 2 && ring.Current.Nodes.Values.All(n => n.Datacenter == "dc-east")),
                TimeSpan.FromSeconds(30),
                "every node of the ring labelled dc-east");
        }
    }
}
