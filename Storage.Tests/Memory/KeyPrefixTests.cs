// Key prefixes alone: whenever two prefixes differ, they order their keys exactly as the keys' bytes do
// (keys shorter and longer than 16 bytes, zero bytes that look like padding, 0xFF), and equal keys have equal
// prefixes.

using CsCheck;
using GrainKV.Storage.Memory;

namespace GrainKV.Storage.Tests.Memory;

public sealed class KeyPrefixTests
{
    private static readonly Gen<byte[]> Key = Gen.OneOfConst<byte>(0x00, 0x01, 0x7F, 0x80, 0xFF).Array[0, 20];

    [Fact]
    public void UnequalPrefixesOrderKeysAsTheirBytesDo()
    {
        Gen.Select(Key, Key).Sample((a, b) =>
        {
            var byPrefix = KeyPrefix.Of(a).CompareTo(KeyPrefix.Of(b));
            var byBytes = Math.Sign(a.AsSpan().SequenceCompareTo(b));
            Assert.True(byPrefix == 0 || byPrefix == byBytes, $"prefix says {byPrefix}, bytes say {byBytes}");
            Assert.True(byBytes != 0 || byPrefix == 0);
        }, iter: 5000);
    }

    [Fact]
    public void TrailingZerosAndLongTailsNeedTheBytes()
    {
        Assert.Equal(0, KeyPrefix.Of([0x61]).CompareTo(KeyPrefix.Of([0x61, 0x00])));
        Assert.Equal(0, KeyPrefix.Of(new byte[16]).CompareTo(KeyPrefix.Of(new byte[17])));
        Assert.Equal(-1, KeyPrefix.Of([0x61]).CompareTo(KeyPrefix.Of([0x61, 0x01])));
        Assert.Equal(1, KeyPrefix.Of([0xFF]).CompareTo(KeyPrefix.Of([0x7F, 0xFF, 0xFF])));
        Assert.Equal(-1, KeyPrefix.Of([.. new byte[8], 0x01]).CompareTo(KeyPrefix.Of([.. new byte[8], 0x02])));
    }
}
