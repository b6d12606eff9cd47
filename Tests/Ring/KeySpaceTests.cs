// The key space: XxHash64 tokens, Q equal contiguous ranges, and the range of a key is its token's top bits.

using System.IO.Hashing;
using System.Text;
using CsCheck;
using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Ring;

public sealed class KeySpaceTests
{
    [Fact]
    public void HashIsXxHash64WithSeedZero()
    {
        var key = Encoding.UTF8.GetBytes("user:42");
        Assert.Equal(XxHash64.HashToUInt64(key, 0), KeySpace.Hash(key));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1024)]
    [InlineData(KeySpace.MaxRangeCount)]
    public void RangesAreEqualContiguousAndCoverTheCircle(int q)
    {
        var space = new KeySpace(q);
        Assert.Equal(0UL, space.RangeStart(0));
        Assert.Equal(ulong.MaxValue, space.RangeEnd(q - 1));
        var width = space.RangeEnd(0) - space.RangeStart(0);
        foreach (var r in new[] { 0, q / 2, q - 1 }.Distinct())
        {
            Assert.Equal(width, space.RangeEnd(r) - space.RangeStart(r));
            Assert.Equal(r, space.RangeOfToken(space.RangeStart(r)));
            Assert.Equal(r, space.RangeOfToken(space.RangeEnd(r)));
            if (r > 0)
            {
                Assert.Equal(space.RangeEnd(r - 1) + 1, space.RangeStart(r));
            }
        }
    }

    [Fact]
    public void KeyFallsInsideItsRange()
    {
        var space = new KeySpace(1024);
        Gen.Byte.Array[0, 64].Sample(key =>
        {
            var range = space.RangeOf(key);
            var token = KeySpace.Hash(key);
            Assert.InRange(token, space.RangeStart(range), space.RangeEnd(range));
        }, iter: 1000);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(KeySpace.MaxRangeCount * 2)]
    public void RangeCountMustBeAPowerOfTwo(int q) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeySpace(q));

    [Fact]
    public void RangeOutsideTheKeySpaceIsRejected()
    {
        var space = new KeySpace(16);
        Assert.Throws<ArgumentOutOfRangeException>(() => space.RangeStart(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => space.RangeEnd(-1));
    }
}
