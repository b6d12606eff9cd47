// Sibling reconciliation: dominated versions dropped, concurrent kept, equal clocks deduplicated,
// tombstones treated as versions; and the causal context that resolves them.

using CsCheck;
using GrainKV.Versioning;
using static GrainKV.Tests.Versioning.ClockGen;

namespace GrainKV.Tests.Versioning;

public sealed class SiblingsTests
{
    private static VersionedValue V(VectorClock clock, string? value, long ts = 0) =>
        new(clock, value is null ? null : System.Text.Encoding.UTF8.GetBytes(value), ts);

    [Fact]
    public void DominatedVersionsAreDropped()
    {
        var old = V(Of(("a", 1)), "old");
        var next = V(Of(("a", 2)), "new");
        Assert.Equal([next], Siblings.Reconcile([old, next]));
        Assert.Equal([next], Siblings.Reconcile([next, old]));
    }

    [Fact]
    public void ConcurrentVersionsAreAllKept()
    {
        var left = V(Of(("a", 2), ("b", 1)), "left", 10);
        var right = V(Of(("a", 1), ("b", 2)), "right", 20);
        var ancestor = V(Of(("a", 1), ("b", 1)), "ancestor", 5);
        Assert.Equal([left, right], Siblings.Reconcile([right, ancestor, left]));
        Assert.Equal(Of(("a", 2), ("b", 2)), Siblings.CausalContext([left, right]));
    }

    [Fact]
    public void EqualClocksAreKeptOnce()
    {
        var a = V(Of(("a", 1)), "x", 7);
        var copy = V(Of(("a", 1)), "x", 7);
        Assert.Single(Siblings.Reconcile([a, copy, a]));
    }

    [Fact]
    public void TombstonesAreVersions()
    {
        var value = V(Of(("a", 1)), "v");
        var delete = VersionedValue.Tombstone(Of(("a", 2)), 3);
        Assert.Equal([delete], Siblings.Reconcile([value, delete]));
        Assert.True(Siblings.IsDeleted([delete]));

        var concurrentWrite = V(Of(("a", 1), ("b", 1)), "w");
        var survivors = Siblings.Reconcile([value, delete, concurrentWrite]);
        Assert.Equal(2, survivors.Count);
        Assert.Contains(delete, survivors);
        Assert.False(Siblings.IsDeleted(survivors));
    }

    [Fact]
    public void ReplicaMergeOnWriteIgnoresStaleWrites()
    {
        var stored = Siblings.Add([], V(Of(("a", 2)), "current"));
        Assert.Equal(stored, Siblings.Add(stored, V(Of(("a", 1)), "stale")));
        var resolved = V(Siblings.CausalContext(stored).Increment("b", 9), "resolved");
        Assert.Equal([resolved], Siblings.Add(stored, resolved));
    }

    [Fact]
    public void ReconcileIsAnAntichainIndependentOfOrder() =>
        Gen.Select(SmallClock, Gen.Int[0, 2], Gen.Long[0, 3]).Select((c, v, ts) => V(c, v == 0 ? null : $"v{v}", ts))
            .Array[0, 8]
            .Sample(versions =>
            {
                var result = Siblings.Reconcile(versions);
                foreach (var x in result)
                {
                    Assert.All(result.Where(y => !ReferenceEquals(x, y)),
                        y => Assert.Equal(ClockOrder.Concurrent, VectorClock.Compare(x.Clock, y.Clock)));
                }

                foreach (var input in versions)
                {
                    Assert.Contains(result, r => r.Clock.Descends(input.Clock));
                }

                Assert.Equal(result, Siblings.Reconcile(versions.Reverse()));
                Assert.Equal(result, Siblings.Reconcile(result));
            });
}
