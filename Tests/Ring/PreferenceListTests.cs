// Preference lists: N distinct nodes, prefixes of one order, distinct datacenters where possible,
// sensible answers for tiny and empty rings.

using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Ring;

public sealed class PreferenceListTests
{
    [Fact]
    public void EveryRangeHasNDistinctNodes()
    {
        var ring = new HashRing(RingFixtures.Nodes(8));
        for (var r = 0; r < ring.KeySpace.RangeCount; r++)
        {
            var list = ring.PreferenceList(r);
            Assert.Equal(3, list.Count);
            Assert.Equal(3, RingFixtures.Ids(list).Count);
        }
    }

    [Fact]
    public void ShorterListsArePrefixesOfTheExtendedList()
    {
        var ring = new HashRing(RingFixtures.Nodes(6, datacenters: ["a", "b"]));
        for (var r = 0; r < ring.KeySpace.RangeCount; r += 7)
        {
            var extended = ring.ExtendedPreferenceList(r);
            Assert.Equal(6, extended.Count);
            Assert.Equal(6, RingFixtures.Ids(extended).Count);
            for (var n = 0; n <= 8; n++)
            {
                Assert.Equal(extended.Take(n), ring.PreferenceList(r, n));
            }

            Assert.Equal(extended.Take(3), ring.PreferenceList(r));
        }
    }

    [Fact]
    public void PrimaryIsTheFirstNodeClockwiseWhateverTheDatacenters()
    {
        var labelled = new HashRing(RingFixtures.Nodes(6, datacenters: ["a", "b", "c"]));
        var plain = new HashRing(RingFixtures.Nodes(6, datacenters: ["a", "b", "c"]), new RingOptions { Datacenters = DatacenterPlacement.Ignore });
        for (var r = 0; r < labelled.KeySpace.RangeCount; r++)
        {
            Assert.Equal(plain.PreferenceList(r)[0], labelled.PreferenceList(r)[0]);
        }
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    [InlineData(4, 3)]
    [InlineData(2, 5)]
    public void ReplicasSpanAsManyDatacentersAsPossible(int datacenters, int n)
    {
        var labels = Enumerable.Range(0, datacenters).Select(d => $"dc{d}").ToArray();
        var ring = new HashRing(RingFixtures.Nodes(12, datacenters: labels), new RingOptions { ReplicationFactor = n });
        for (var r = 0; r < ring.KeySpace.RangeCount; r++)
        {
            var list = ring.PreferenceList(r);
            Assert.Equal(n, RingFixtures.Ids(list).Count);
            Assert.Equal(Math.Min(n, datacenters), list.Select(x => x.Datacenter).Distinct().Count());
        }
    }

    [Fact]
    public void IgnoringDatacentersTakesTheFirstDistinctNodesClockwise()
    {
        var options = new RingOptions { Datacenters = DatacenterPlacement.Ignore };
        var labelled = new HashRing(RingFixtures.Nodes(8, datacenters: ["a", "b"]), options);
        var unlabelled = new HashRing(RingFixtures.Nodes(8));
        for (var r = 0; r < labelled.KeySpace.RangeCount; r++)
        {
            Assert.Equal(
                unlabelled.PreferenceList(r).Select(x => x.NodeId),
                labelled.PreferenceList(r).Select(x => x.NodeId));
        }
    }

    [Fact]
    public void FewerNodesThanReplicasGivesEveryNode()
    {
        var ring = new HashRing(RingFixtures.Nodes(2));
        Assert.All(Enumerable.Range(0, ring.KeySpace.RangeCount), r => Assert.Equal(2, ring.PreferenceList(r).Count));
    }

    [Fact]
    public void EmptyRingHasEmptyLists()
    {
        var ring = HashRing.Empty();
        Assert.Empty(ring.PreferenceList(0));
        Assert.Empty(ring.ExtendedPreferenceList(1023));
        Assert.Empty(ring.PreferenceList(5, 10));
    }

    [Fact]
    public void DuplicateNodeIdsAreRefused() =>
        Assert.Throws<ArgumentException>(() => new HashRing([new RingNode("a"), new RingNode("b"), new RingNode("a", "dc2")]));

    [Fact]
    public void RangesOfListsExactlyTheRangesHoldingTheNode()
    {
        var ring = new HashRing(RingFixtures.Nodes(5));
        foreach (var node in ring.Nodes)
        {
            var expected = Enumerable.Range(0, ring.KeySpace.RangeCount).Where(r => ring.PreferenceList(r).Contains(node));
            Assert.Equal(expected, ring.RangesOf(node.NodeId));
        }
    }

    [Fact]
    public void KeysMapToTheRangeOfTheirToken()
    {
        var ring = new HashRing(RingFixtures.Nodes(3));
        var key = "hello"u8.ToArray();
        Assert.Equal(ring.KeySpace.RangeOfToken(KeySpace.Hash(key)), ring.RangeOf(key));
    }
}
