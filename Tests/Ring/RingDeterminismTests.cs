// The ring depends only on the set of members and the options: input order and rebuilds change nothing.

using CsCheck;
using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Ring;

public sealed class RingDeterminismTests
{
    [Fact]
    public void InputOrderDoesNotMatter()
    {
        var gen = Gen.Int[1, 12].SelectMany(count => Gen.Shuffle(RingFixtures.Nodes(count, "s", "x", "y")).Select(shuffled => (count, shuffled)));
        gen.Sample((count, shuffled) =>
        {
            var sorted = new HashRing(RingFixtures.Nodes(count, "s", "x", "y"), new RingOptions { RangeCount = 256, VirtualNodes = 64 });
            var shuffledRing = new HashRing(shuffled, sorted.Options);
            for (var r = 0; r < sorted.KeySpace.RangeCount; r++)
            {
                Assert.Equal(sorted.ExtendedPreferenceList(r), shuffledRing.ExtendedPreferenceList(r));
            }
        }, iter: 30);
    }

    [Fact]
    public void TokensDependOnlyOnTheNodeId()
    {
        Assert.Equal(TokenPlacement.TokensOf("node-1", 16), TokenPlacement.TokensOf("node-1", 16));
        Assert.Equal(TokenPlacement.TokensOf("node-1", 16), TokenPlacement.TokensOf("node-1", 32).Take(16));
        Assert.NotEqual(TokenPlacement.TokensOf("node-1", 16), TokenPlacement.TokensOf("node-2", 16));
    }

    [Fact]
    public void ConcurrentReadersOfTheExtendedListAgree()
    {
        var ring = new HashRing(RingFixtures.Nodes(8));
        var results = new IReadOnlyList<RingNode>[64];
        Parallel.For(0, results.Length, i => results[i] = ring.ExtendedPreferenceList(17));
        Assert.All(results, list => Assert.Equal(results[0], list));
    }
}
