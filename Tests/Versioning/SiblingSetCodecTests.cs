// The stored form of a sibling set: round trips (values, tombstones, empty values, empty sets), the
// documented layout, and typed errors for malformed input.

using CsCheck;
using GrainKV.Versioning;

namespace GrainKV.Tests.Versioning;

public sealed class SiblingSetCodecTests
{
    [Fact]
    public void EncodeDecodeRoundTrips() =>
        ClockGen.Version.Array[0, 5].Sample(siblings =>
            Assert.Equal(siblings, SiblingSetCodec.Decode(SiblingSetCodec.Encode(siblings))));

    [Fact]
    public void TombstoneAndEmptyValueAreDistinct()
    {
        var clock = ClockGen.Of(("a", 1));
        var decoded = SiblingSetCodec.Decode(SiblingSetCodec.Encode([VersionedValue.Tombstone(clock, 1), new VersionedValue(clock, [], 1)]));
        Assert.True(decoded[0].IsTombstone);
        Assert.False(decoded[1].IsTombstone);
        Assert.Empty(decoded[1].Value!);
    }

    [Fact]
    public void LayoutMatchesTheDocumentation()
    {
        var clock = ClockGen.Of(("a", 1));
        byte[] expected =
        [
            1, 2,                           // format version, 2 siblings
            0, 5, 1, 1, (byte)'a', 1, 0,    // tombstone, ts 5, clock [(a,1) ts 0]
            1, 6, 1, 1, (byte)'a', 1, 0,    // value, ts 6, same clock
            2, (byte)'h', (byte)'i',        // value length 2, "hi"
        ];
        Assert.Equal(expected, SiblingSetCodec.Encode([VersionedValue.Tombstone(clock, 5), new VersionedValue(clock, "hi"u8.ToArray(), 6)]));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 9, 0 })]                 // unknown version
    [InlineData(new byte[] { 1, 1, 2, 0, 0 })]        // unknown flag
    [InlineData(new byte[] { 1, 1, 1, 0, 0, 5, 1 })]  // value shorter than its length
    [InlineData(new byte[] { 1, 0, 7 })]              // trailing byte
    [InlineData(new byte[] { 1, 0x80, 0x80, 0x04 })]  // count larger than the input
    public void MalformedBytesThrowFormatException(byte[] bytes) =>
        Assert.Throws<FormatException>(() => SiblingSetCodec.Decode(bytes));
}
