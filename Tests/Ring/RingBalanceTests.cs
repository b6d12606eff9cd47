// Load balance (R7): with 8 nodes and the defaults (Q=1024, V=256, N=3) no node holds more than
// 1.15x the mean number of range replicas. docs/RING.md has the measured distribution.

using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Ring;

public sealed class RingBalanceTests
{
    private const double MaxImbalance = 1.15;

    [Theory]
    [InlineData("node-")]
    [InlineData("Silo_")]
    [InlineData("silo-")]
    [InlineData("kv.dc1.example.com:")]
    public void EightNamedNodesAreWithinBound(string prefix)
    {
        var ring = new HashRing(RingFixtures.Nodes(8, prefix));
        Assert.InRange(RingFixtures.Imbalance(ring), 1.0, MaxImbalance);
    }

    [Fact]
    public void EightRandomlyNamedNodesAreWithinBound()
    {
        var random = new Random(20240604);
        for (var trial = 0; trial < 40; trial++)
        {
            var ring = new HashRing(RingFixtures.RandomNodes(random, 8));
            Assert.InRange(RingFixtures.Imbalance(ring), 1.0, MaxImbalance);
        }
    }

    [Fact]
    public void EveryRangeHasExactlyNReplicasInTotal()
    {
        var ring = new HashRing(RingFixtures.Nodes(8));
        Assert.Equal(1024 * 3, RingFixtures.ReplicaLoad(ring).Values.Sum());
    }

    [Fact]
    public void TwoEqualDatacentersStayBalanced()
    {
        var ring = new HashRing(RingFixtures.Nodes(8, datacenters: ["east", "west"]));
        Assert.InRange(RingFixtures.Imbalance(ring), 1.0, MaxImbalance);
    }
}
