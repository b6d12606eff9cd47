// The ring record merges like a join-semilattice (commutative, associative, idempotent), so silos that exchange
// copies in any order agree; a node's state only moves forward within a generation; the file form round-trips and
// a damaged file is refused with a typed error.

using GrainKV.Grains.Membership;

namespace GrainKV.Tests.Membership;

public sealed class RingRecordTests
{
    private static RingEntry E(string node, RingState state, int generation = 0) => new(node, "", generation, state);

    [Fact]
    public void MergeIsCommutativeAssociativeAndIdempotent()
    {
        var random = new Random(12);
        for (var trial = 0; trial < 200; trial++)
        {
            RingRecord Random() => new(Enumerable.Range(0, random.Next(0, 5))
                .Select(i => E($"n{random.Next(4)}", (RingState)random.Next(5), random.Next(2)))
                .GroupBy(e => e.NodeId).Select(g => g.First()));
            var (a, b, c) = (Random(), Random(), Random());
            Assert.True(a.Merge(b).SameAs(b.Merge(a)));
            Assert.True(a.Merge(b).Merge(c).SameAs(a.Merge(b.Merge(c))));
            Assert.True(a.Merge(a).SameAs(a));
        }
    }

    [Fact]
    public void AStateMovesOnlyForwardWithinAGenerationAndANewGenerationStartsOver()
    {
        var record = new RingRecord([E("a", RingState.Leaving)]);
        Assert.Equal(RingState.Leaving, record.With(E("a", RingState.Normal)).Find("a")!.State);
        Assert.Equal(RingState.Left, record.With(E("a", RingState.Left)).Find("a")!.State);

        var rejoined = record.With(E("a", RingState.Left)).With(E("a", RingState.Joining, 1));
        Assert.Equal((1, RingState.Joining), (rejoined.Find("a")!.Generation, rejoined.Find("a")!.State));
    }

    [Fact]
    public void TheFileFormRoundTripsAndADamagedFileIsRefused()
    {
        var record = new RingRecord([E("b", RingState.Normal), new RingEntry("a", "dc1", 2, RingState.Removing)]);
        Assert.True(RingRecord.FromJson(record.ToJson()).SameAs(record));
        Assert.Throws<FormatException>(() => RingRecord.FromJson("{not json"));
        Assert.Throws<FormatException>(() => RingRecord.FromJson("""[{"NodeId":"a","Datacenter":"","Generation":0,"State":9}]"""));
    }
}
