// Minimal movement (R4, R7): adding a node changes only ranges whose preference list now holds the new
// node, and moves about 1/(n+1) of the range replicas; removing a node changes only ranges it held.

using CsCheck;
using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Ring;

public sealed class RingMovementTests
{
    private static readonly RingOptions Small = new() { RangeCount = 256, VirtualNodes = 32 };

    private static readonly Gen<(RingNode[] Nodes, int Datacenters, int N)> Members =
        from count in Gen.Int[1, 10]
        from datacenters in Gen.Int[1, 3]
        from n in Gen.Int[1, 4]
        from ids in Gen.Int[0, 1_000_000].ArrayUnique[count + 1, count + 1]
        select (ids.Select((id, i) => new RingNode($"m{id}", $"dc{i % datacenters}")).ToArray(), datacenters, n);

    [Fact]
    public void AddingANodeMovesOnlyRangesItNowHolds()
    {
        Members.Sample((nodes, _, n) =>
        {
            var options = Small with { ReplicationFactor = n };
            RingFixtures.AssertJoinMovesOnlyToTheNewNode(new HashRing(nodes[..^1], options), nodes[^1]);
        }, iter: 60);
    }

    [Fact]
    public void RemovingANodeMovesOnlyItsRanges()
    {
        Members.Sample((nodes, _, n) =>
        {
            var options = Small with { ReplicationFactor = n };
            var before = new HashRing(nodes, options);
            var removed = nodes[^1].NodeId;
            var after = before.WithoutNode(removed);
            for (var r = 0; r < options.RangeCount; r++)
            {
                var old = RingFixtures.Ids(before.PreferenceList(r));
                var now = RingFixtures.Ids(after.PreferenceList(r));
                Assert.True(old.SetEquals(now) || old.Contains(removed), $"range {r} changed without {removed}");
                Assert.True(old.Except(now).Count() <= 1);
            }
        }, iter: 60);
    }

    [Theory]
    [InlineData("node-")]
    [InlineData("Silo_")]
    public void AddingANinthNodeMovesAboutANinth(string prefix)
    {
        var before = new HashRing(RingFixtures.Nodes(8, prefix));
        var after = before.WithNode(new RingNode($"{prefix}8"));
        var moved = 0;
        for (var r = 0; r < 1024; r++)
        {
            moved += RingFixtures.Ids(after.PreferenceList(r)).Except(RingFixtures.Ids(before.PreferenceList(r))).Count();
        }

        var fraction = moved / (1024.0 * 3);
        Assert.InRange(fraction, 0.5 / 9, 1.15 / 9);
    }

    [Fact]
    public void AddingANodeToRandomEightNodeRingsStaysWithinBound()
    {
        var random = new Random(77);
        for (var trial = 0; trial < 20; trial++)
        {
            var before = new HashRing(RingFixtures.RandomNodes(random, 8));
            var added = new RingNode($"new-{trial}");
            var after = before.WithNode(added);
            var moved = Enumerable.Range(0, 1024).Sum(r =>
                RingFixtures.Ids(after.PreferenceList(r)).Except(RingFixtures.Ids(before.PreferenceList(r))).Count());
            Assert.InRange(moved / (1024.0 * 3), 0.0, 1.15 / 9);
            Assert.Equal(moved, after.RangesOf(added.NodeId).Count);
        }
    }
}
