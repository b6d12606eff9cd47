// The vector clock's binary and context-string forms: round trips, canonical bytes, the documented
// layout, and typed errors for malformed input.

using CsCheck;
using GrainKV.Versioning;

namespace GrainKV.Tests.Versioning;

public sealed class ClockEncodingTests
{
    [Fact]
    public void EncodeDecodeRoundTrips() =>
        ClockGen.Clock.Sample(clock =>
        {
            var decoded = VectorClock.Decode(clock.Encode());
            Assert.Equal(clock, decoded);
            Assert.Equal(clock.Entries, decoded.Entries);
            Assert.Equal(clock, VectorClock.FromContextString(clock.ToContextString()));
        });

    [Fact]
    public void ContextStringIsUrlSafe() =>
        ClockGen.Clock.Sample(clock =>
            Assert.DoesNotContain(clock.ToContextString(), c => c is '+' or '/' or '='));

    [Fact]
    public void LayoutMatchesTheDocumentation()
    {
        var clock = VectorClock.FromEntries([new ClockEntry("b", 300, 1), new ClockEntry("a", 1, 2)]);
        byte[] expected =
        [
            1,                      // format version
            2,                      // entry count
            1, (byte)'a', 1, 2,     // "a", counter 1, timestamp 2
            1, (byte)'b', 0xAC, 0x02, 1, // "b", counter 300 (LEB128), timestamp 1
        ];
        Assert.Equal(expected, clock.Encode());
        Assert.Equal(new byte[] { 1, 0 }, VectorClock.Empty.Encode());
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2, 0 })]               // unknown version
    [InlineData(new byte[] { 1 })]                  // no entry count
    [InlineData(new byte[] { 1, 1, 1, (byte)'a', 1 })] // truncated timestamp
    [InlineData(new byte[] { 1, 0, 0 })]            // trailing byte
    [InlineData(new byte[] { 1, 1, 1, (byte)'a', 0, 0 })] // zero counter
    [InlineData(new byte[] { 1, 2, 1, (byte)'b', 1, 0, 1, (byte)'a', 1, 0 })] // out of order
    [InlineData(new byte[] { 1, 1, 1, 0xFF, 1, 0 })] // invalid UTF-8
    [InlineData(new byte[] { 1, 1, 4, (byte)'a', 1, 2 })] // node id length one past the end (counted before its own byte)
    [InlineData(new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })] // absurd count
    [InlineData(new byte[] { 1, 1, 1, (byte)'a', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0 })] // counter overflow
    public void MalformedBytesThrowFormatException(byte[] bytes) =>
        Assert.Throws<FormatException>(() => VectorClock.Decode(bytes));

    [Fact]
    public void MalformedContextStringsAreRejected()
    {
        Assert.Throws<FormatException>(() => VectorClock.FromContextString("not base64!"));
        Assert.False(VectorClock.TryParseContext("AgA", out _));
        Assert.False(VectorClock.TryParseContext(null, out _));
        Assert.True(VectorClock.TryParseContext(VectorClock.Empty.ToContextString(), out var empty));
        Assert.Equal(VectorClock.Empty, empty);
    }
}
