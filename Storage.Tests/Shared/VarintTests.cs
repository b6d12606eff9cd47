// The varint shared by the table blocks and the versioning formats (Shared/Varint.cs, compiled into
// Storage and Grains.Interfaces): fixed byte vectors pin the format on disk and on the wire.

using GrainKV.Shared;

namespace GrainKV.Storage.Tests.Shared;

public sealed class VarintTests
{
    public static TheoryData<ulong, string> Vectors => new()
    {
        { 0, "00" },
        { 1, "01" },
        { 127, "7F" },
        { 128, "8001" },
        { 300, "AC02" },
        { 16_383, "FF7F" },
        { 16_384, "808001" },
        { uint.MaxValue, "FFFFFFFF0F" },
        { long.MaxValue, "FFFFFFFFFFFFFFFF7F" },
        { ulong.MaxValue, "FFFFFFFFFFFFFFFFFF01" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void AValueIsWrittenAsItsFixedBytes(ulong value, string hex)
    {
        var span = new byte[Varint.MaxSize];
        var written = Varint.Write(span, value);
        using var stream = new MemoryStream();
        Varint.Write(stream, value);

        Assert.Equal(hex, Convert.ToHexString(span, 0, written));
        Assert.Equal(hex, Convert.ToHexString(stream.ToArray()));
        Assert.Equal(written, Varint.Size(value));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TheFixedBytesReadBackAsTheValue(ulong value, string hex)
    {
        var bytes = Convert.FromHexString(hex + "EE"); // a byte after the varint stays unread
        var offset = 0;
        Assert.True(Varint.TryRead(bytes, ref offset, out var read));
        Assert.Equal(value, read);
        Assert.Equal(bytes.Length - 1, offset);

        offset = 0;
        Assert.Equal(value, Varint.Read(bytes, ref offset));
        Assert.Equal(bytes.Length - 1, offset);
    }

    [Theory]
    [InlineData("", "Truncated")]
    [InlineData("80", "Truncated")]
    [InlineData("FFFFFFFFFFFFFFFFFF", "Truncated")]
    [InlineData("FFFFFFFFFFFFFFFFFF02", "overflows")]
    [InlineData("FFFFFFFFFFFFFFFFFF81", "overflows")]
    public void AMalformedVarintIsRefused(string hex, string problem)
    {
        var bytes = Convert.FromHexString(hex);
        var offset = 0;
        Assert.False(Varint.TryRead(bytes, ref offset, out _));

        offset = 0;
        var error = Assert.Throws<FormatException>(() => Varint.Read(bytes, ref offset));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALengthAboveItsBoundIsRefused()
    {
        var bytes = Convert.FromHexString("AC02");
        var offset = 0;
        Assert.Equal(300, Varint.ReadLength(bytes, ref offset, 300, "Length"));

        offset = 0;
        var error = Assert.Throws<FormatException>(() => Varint.ReadLength(bytes, ref offset, 299, "Length"));
        Assert.Equal("Length 300 exceeds the 299 that fit in the input.", error.Message);
    }

    [Fact]
    public void AFollowingLengthMayTakeExactlyTheBytesLeftAfterItsVarint()
    {
        // Two bytes follow the varint 02: a length of 2 fits, 3 does not (the varint's own byte is not left).
        var offset = 0;
        Assert.Equal(2, Varint.ReadFollowingLength(Convert.FromHexString("02AAAA"), ref offset, "Value length"));
        Assert.Equal(1, offset);

        offset = 0;
        var error = Assert.Throws<FormatException>(() => Varint.ReadFollowingLength(Convert.FromHexString("03AAAA"), ref offset, "Value length"));
        Assert.Equal("Value length 3 exceeds the 2 bytes left in the input.", error.Message);
    }
}
