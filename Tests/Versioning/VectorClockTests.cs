// Vector clock semantics (R11): descends, concurrency, equality, merge, increment, truncation.

using CsCheck;
using GrainKV.Versioning;
using static GrainKV.Tests.Versioning.ClockGen;

namespace GrainKV.Tests.Versioning;

public sealed class VectorClockTests
{
    [Fact]
    public void IncrementAddsOrBumpsTheNodesEntry()
    {
        var clock = VectorClock.Empty.Increment("a", 100).Increment("b", 200).Increment("a", 300);
        Assert.Equal(2UL, clock.CounterOf("a"));
        Assert.Equal(1UL, clock.CounterOf("b"));
        Assert.Equal(0UL, clock.CounterOf("c"));
        Assert.Equal(300, clock.Entries.Single(e => e.NodeId == "a").TimestampUnixMs);
        Assert.Equal("[(a,2),(b,1)]", clock.ToString());
        Assert.Equal("[]", VectorClock.Empty.ToString());
    }

    [Fact]
    public void CompareDistinguishesTheFourOrders()
    {
        var ab = Of(("a", 1), ("b", 1));
        Assert.Equal(ClockOrder.Equal, VectorClock.Compare(ab, Of(("b", 1), ("a", 1))));
        Assert.Equal(ClockOrder.Before, VectorClock.Compare(ab, Of(("a", 2), ("b", 1))));
        Assert.Equal(ClockOrder.After, VectorClock.Compare(ab, Of(("a", 1))));
        Assert.Equal(ClockOrder.Concurrent, VectorClock.Compare(Of(("a", 2)), Of(("a", 1), ("b", 1))));
        Assert.Equal(ClockOrder.Before, VectorClock.Compare(VectorClock.Empty, ab));
    }

    [Fact]
    public void DescendsIncludesEqualDominatesDoesNot()
    {
        var a = Of(("a", 2), ("b", 1));
        var b = Of(("a", 1));
        Assert.True(a.Descends(b));
        Assert.True(a.Descends(a));
        Assert.True(a.Dominates(b));
        Assert.False(a.Dominates(a));
        Assert.False(b.Descends(a));
        Assert.True(a.Descends(VectorClock.Empty));
    }

    [Fact]
    public void CompareIsAntisymmetric() =>
        Gen.Select(SmallClock, SmallClock).Sample((a, b) =>
        {
            var expected = VectorClock.Compare(a, b) switch
            {
                ClockOrder.Before => ClockOrder.After,
                ClockOrder.After => ClockOrder.Before,
                var same => same,
            };
            Assert.Equal(expected, VectorClock.Compare(b, a));
        });

    [Fact]
    public void MergeIsTheLeastUpperBound() =>
        Gen.Select(SmallClock, SmallClock).Sample((a, b) =>
        {
            var m = VectorClock.Merge(a, b);
            Assert.True(m.Descends(a));
            Assert.True(m.Descends(b));
            Assert.Equal(ClockOrder.Equal, VectorClock.Compare(m, VectorClock.Merge(b, a)));
            foreach (var e in m.Entries)
            {
                Assert.Equal(Math.Max(a.CounterOf(e.NodeId), b.CounterOf(e.NodeId)), e.Counter);
            }
        });

    [Fact]
    public void WritingBackWithTheMergedContextDominatesBothSiblings()
    {
        var left = Of(("a", 2), ("b", 1));
        var right = Of(("a", 1), ("b", 2));
        Assert.Equal(ClockOrder.Concurrent, VectorClock.Compare(left, right));
        var resolved = VectorClock.Merge(left, right).Increment("c", 5);
        Assert.True(resolved.Dominates(left));
        Assert.True(resolved.Dominates(right));
    }

    [Fact]
    public void MergeKeepsTheTimestampOfTheLargerCounter()
    {
        var a = VectorClock.FromEntries([new ClockEntry("n", 3, 30)]);
        var b = VectorClock.FromEntries([new ClockEntry("n", 2, 99)]);
        Assert.Equal(30, VectorClock.Merge(a, b).Entries[0].TimestampUnixMs);
    }

    [Fact]
    public void TruncateDropsTheOldestEntries()
    {
        var clock = VectorClock.Empty;
        for (var i = 0; i < 12; i++)
        {
            clock = clock.Increment($"n{i:D2}", 1000 + ((i * 7) % 12));
        }

        var truncated = clock.Truncate();
        Assert.Equal(VectorClock.DefaultMaxEntries, truncated.Count);
        var oldest = clock.Entries.OrderBy(e => e.TimestampUnixMs).Take(2).Select(e => e.NodeId);
        Assert.All(oldest, id => Assert.Equal(0UL, truncated.CounterOf(id)));
        Assert.True(clock.Descends(truncated));
        Assert.Same(truncated, truncated.Truncate());
        Assert.Single(clock.Truncate(1).Entries);
        Assert.Equal(1011, clock.Truncate(1).Entries[0].TimestampUnixMs);
    }

    [Fact]
    public void InvalidEntriesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => VectorClock.FromEntries([new ClockEntry("a", 1, 0), new ClockEntry("a", 2, 0)]));
        Assert.Throws<ArgumentException>(() => VectorClock.FromEntries([new ClockEntry("a", 0, 0)]));
        Assert.Throws<ArgumentException>(() => VectorClock.FromEntries([new ClockEntry("", 1, 0)]));
    }

    [Fact]
    public void EqualityIsStructural()
    {
        Assert.Equal(Of(("a", 1), ("b", 2)), Of(("b", 2), ("a", 1)));
        Assert.Equal(Of(("a", 1)).GetHashCode(), Of(("a", 1)).GetHashCode());
        var sameCountersOtherTime = VectorClock.FromEntries([new ClockEntry("a", 1, 5)]);
        Assert.NotEqual(Of(("a", 1)), sameCountersOtherTime);
        Assert.Equal(ClockOrder.Equal, VectorClock.Compare(Of(("a", 1)), sameCountersOtherTime));
    }
}
