// Replicas per datacenter: the "dc1:2,dc2:1" setting parsed and checked, and preference lists that hold exactly
// each datacenter's count for every range of many ring shapes, on distinct nodes, with shorter lists prefixes of
// the extended order and ownership moving only to (from) a node added (removed); also as properties over random
// ring shapes (1-3 datacenters, counts 0-3, 0-6 nodes each, random ids).

using CsCheck;
using GrainKV.Grains.Ring;
using Microsoft.Extensions.Options;

namespace GrainKV.Tests.Ring;

public sealed class DatacenterReplicationTests
{
    private static RingOptions Counts(string text, int rangeCount = 256) =>
        new() { RangeCount = rangeCount, ReplicasPerDatacenter = DatacenterReplication.Parse(text), ReplicationFactor = DatacenterReplication.Total(DatacenterReplication.Parse(text)!) };

    private static RingNode[] Nodes(params (string Datacenter, int Count)[] shape) =>
        shape.SelectMany(s => Enumerable.Range(0, s.Count).Select(i => new RingNode($"{s.Datacenter}-node-{i}", s.Datacenter))).ToArray();

    [Fact]
    public void TheSettingIsParsedAndWrittenBackCanonically()
    {
        var counts = DatacenterReplication.Parse(" dc2:1 , dc1:2 ")!;
        Assert.Equal(2, counts["dc1"]);
        Assert.Equal(1, counts["dc2"]);
        Assert.Equal(3, DatacenterReplication.Total(counts));
        Assert.Equal("dc1:2,dc2:1", DatacenterReplication.Format(counts));
        Assert.Null(DatacenterReplication.Parse(""));
        Assert.Null(DatacenterReplication.Parse("  "));
        Assert.Equal(0, DatacenterReplication.Parse("dc1:3,dc2:0")!["dc2"]);
    }

    [Theory]
    [InlineData("dc1")]
    [InlineData("dc1:")]
    [InlineData(":2")]
    [InlineData("dc1:two")]
    [InlineData("dc1:-1")]
    [InlineData("dc1:2,dc1:1")]
    [InlineData("dc1:0,dc2:0")]
    [InlineData("dc1:2,,dc2:1")]
    [InlineData("dc 1:2")]
    [InlineData("dc1:99999999999")]
    public void AMalformedSettingIsRefusedWithItsText(string text)
    {
        var error = Assert.Throws<FormatException>(() => DatacenterReplication.Parse(text));
        Assert.Contains(text.Trim(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountsThatDoNotAddUpToNAreRefused()
    {
        var options = new RingOptions { ReplicationFactor = 3, ReplicasPerDatacenter = DatacenterReplication.Parse("dc1:2,dc2:2") };
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("dc1:2,dc2:2", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, int[]> Shapes => new()
    {
        { "dc1:2,dc2:1", [3, 3] },
        { "dc1:2,dc2:1", [2, 1] },
        { "dc1:2,dc2:1", [7, 2] },
        { "dc1:2,dc2:1", [2, 9] },
        { "dc1:2,dc2:2", [4, 5] },
        { "dc1:1,dc2:1,dc3:1", [3, 2, 4] },
        { "dc1:3,dc2:2", [5, 5] },
        { "dc1:1,dc2:2,dc3:2", [2, 3, 6] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryRangeHoldsEachDatacentersCountOnDistinctNodes(string counts, int[] nodesPerDatacenter)
    {
        foreach (var seed in new[] { "", "x", "another-" })
        {
            var shape = nodesPerDatacenter.Select((count, i) => ($"dc{i + 1}", count)).ToArray();
            var nodes = Nodes(shape).Select(n => new RingNode(seed + n.NodeId, n.Datacenter)).ToArray();
            var options = Counts(counts);
            var ring = new HashRing(nodes, options);
            for (var r = 0; r < ring.KeySpace.RangeCount; r++)
            {
                var list = ring.PreferenceList(r);
                Assert.Equal(options.ReplicationFactor, RingFixtures.Ids(list).Count);
                foreach (var (datacenter, count) in options.ReplicasPerDatacenter!)
                {
                    Assert.Equal(count, list.Count(n => n.Datacenter == datacenter));
                }
            }
        }
    }

    private static readonly Gen<(RingNode[] Nodes, Dictionary<string, int> Counts)> RandomShapes =
        from datacenters in Gen.Int[1, 3]
        from counts in Gen.Int[0, 3].Array[datacenters]
        from sizes in Gen.Int[0, 6].Array[datacenters]
        from ids in Gen.Int[0, 1_000_000].ArrayUnique[sizes.Sum() + 1, sizes.Sum() + 1]
        where counts.Sum() > 0
        select (
            sizes.SelectMany((size, d) => Enumerable.Range(0, size).Select(_ => $"dc{d}")).Append("dc0").Select((dc, i) => new RingNode($"m{ids[i]}", dc)).ToArray(),
            counts.Select((c, d) => (c, d)).ToDictionary(x => $"dc{x.d}", x => x.c));

    [Fact]
    public void RandomShapesHoldEachCountOrEveryNodeOfASmallerDatacenter()
    {
        RandomShapes.Sample((nodes, counts) =>
        {
            var n = counts.Values.Sum();
            var options = new RingOptions { RangeCount = 64, VirtualNodes = 16, ReplicationFactor = n, ReplicasPerDatacenter = counts };
            var ring = new HashRing(nodes[..^1], options);
            for (var r = 0; r < options.RangeCount; r++)
            {
                var list = ring.PreferenceList(r);
                Assert.Equal(Math.Min(n, ring.Nodes.Count), RingFixtures.Ids(list).Count);
                foreach (var (datacenter, count) in counts)
                {
                    var available = ring.Nodes.Count(x => x.Datacenter == datacenter);
                    var placed = list.Count(x => x.Datacenter == datacenter);
                    Assert.True(placed >= Math.Min(count, available), $"range {r}: {placed} in {datacenter}, count {count}, {available} nodes");
                    if (counts.All(kv => ring.Nodes.Count(x => x.Datacenter == kv.Key) >= kv.Value))
                    {
                        Assert.Equal(count, placed);
                    }
                }
            }
        }, iter: 60);
    }

    [Fact]
    public void RandomShapesMoveOnlyRangesTheJoiningNodeNowHolds()
    {
        RandomShapes.Sample((nodes, counts) =>
        {
            var options = new RingOptions { RangeCount = 64, VirtualNodes = 16, ReplicationFactor = counts.Values.Sum(), ReplicasPerDatacenter = counts };
            RingFixtures.AssertJoinMovesOnlyToTheNewNode(new HashRing(nodes[..^1], options), nodes[^1]);
        }, iter: 60);
    }

    [Fact]
    public void ShorterListsArePrefixesOfTheExtendedOrderAndTheStandbysFollowIt()
    {
        var ring = new HashRing(Nodes(("dc1", 4), ("dc2", 3)), Counts("dc1:2,dc2:1"));
        for (var r = 0; r < ring.KeySpace.RangeCount; r++)
        {
            var extended = ring.ExtendedPreferenceList(r);
            Assert.Equal(7, RingFixtures.Ids(extended).Count);
            for (var n = 0; n <= 8; n++)
            {
                Assert.Equal(extended.Take(n), ring.PreferenceList(r, n));
            }
        }
    }

    [Fact]
    public void ThePrimaryIsTheFirstNodeClockwise()
    {
        var nodes = Nodes(("dc1", 4), ("dc2", 3));
        var withCounts = new HashRing(nodes, Counts("dc1:2,dc2:1"));
        var plain = new HashRing(nodes, new RingOptions { RangeCount = 256, Datacenters = DatacenterPlacement.Ignore });
        for (var r = 0; r < withCounts.KeySpace.RangeCount; r++)
        {
            Assert.Equal(plain.PreferenceList(r)[0], withCounts.PreferenceList(r)[0]);
        }
    }

    [Fact]
    public void ADatacenterWithTooFewNodesGivesAllItHasAndTheNextNodesClockwiseTakeTheRest()
    {
        var ring = new HashRing(Nodes(("dc1", 1), ("dc2", 4)), Counts("dc1:2,dc2:1"));
        for (var r = 0; r < ring.KeySpace.RangeCount; r++)
        {
            var list = ring.PreferenceList(r);
            Assert.Equal(3, RingFixtures.Ids(list).Count);
            Assert.Equal(1, list.Count(n => n.Datacenter == "dc1"));
        }
    }

    [Fact]
    public void NodesOfADatacenterWithoutReplicasAreOnlyStandbys()
    {
        var ring = new HashRing(Nodes(("dc1", 3), ("dc2", 2), ("backup", 2)), Counts("dc1:2,dc2:1"));
        var standbyRanges = 0;
        for (var r = 0; r < ring.KeySpace.RangeCount; r++)
        {
            Assert.DoesNotContain(ring.PreferenceList(r), n => n.Datacenter == "backup");
            standbyRanges += ring.PreferenceList(r, 4)[3].Datacenter == "backup" ? 1 : 0;
        }

        Assert.True(standbyRanges > 0, "a node of a datacenter without replicas stands by for some ranges");
    }

    [Fact]
    public void NodesWhoseDatacenterHasNoReplicasAreNamed() =>
        Assert.Equal(
            ["b0@backup", "z9@dc3"],
            DatacenterReplication.Unplaced(
                DatacenterReplication.Parse("dc1:2,dc2:1,dc3:0")!, [("a0", "dc1"), ("z9", "dc3"), ("b0", "backup"), ("c0", "dc2")]));

    [Theory]
    [InlineData("dc1")]
    [InlineData("dc2")]
    public void AddingANodeMovesReplicasOnlyToItAndRemovingItMovesThemBack(string datacenter)
    {
        var before = new HashRing(Nodes(("dc1", 3), ("dc2", 3)), Counts("dc1:2,dc2:1"));
        var added = new RingNode("joining", datacenter);
        var after = before.WithNode(added);
        var moved = 0;
        for (var r = 0; r < before.KeySpace.RangeCount; r++)
        {
            var old = RingFixtures.Ids(before.PreferenceList(r));
            var now = RingFixtures.Ids(after.PreferenceList(r));
            if (!old.SetEquals(now))
            {
                moved++;
                Assert.Contains(added.NodeId, now);
                Assert.Single(old.Except(now));
                Assert.Equal(before.PreferenceList(r).Single(n => !now.Contains(n.NodeId)).Datacenter, datacenter);
            }
        }

        Assert.True(moved > 0);
        var removed = after.WithoutNode(added.NodeId);
        Assert.All(Enumerable.Range(0, before.KeySpace.RangeCount), r => Assert.Equal(before.PreferenceList(r), removed.PreferenceList(r)));
    }
}
