// Pure parts shared by client and silo: size limits, the partition function, replica keys, engine key layout.

using GrainKV.Client;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;

namespace GrainKV.Tests.Requests;

public sealed class LimitsAndKeysTests
{
    [Theory]
    [InlineData(0, 0, typeof(InvalidKeyException))]
    [InlineData(KeyLimits.MaxKeySize + 1, 0, typeof(InvalidKeyException))]
    [InlineData(10, KeyLimits.DefaultMaxEntrySize - 9, typeof(ValueTooLargeException))]
    public void EntriesOutsideTheLimitsAreRejected(int keyLength, int valueLength, Type expected)
    {
        var error = Assert.ThrowsAny<GrainKvException>(() => KeyLimits.CheckEntry(new byte[keyLength], valueLength, KeyLimits.DefaultMaxEntrySize));
        Assert.IsType(expected, error);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(KeyLimits.MaxKeySize, 0)]
    [InlineData(10, KeyLimits.DefaultMaxEntrySize - 10)]
    public void EntriesAtTheLimitsAreAccepted(int keyLength, int valueLength) =>
        KeyLimits.CheckEntry(new byte[keyLength], valueLength, KeyLimits.DefaultMaxEntrySize);

    [Fact]
    public void RangesAreTheTopBitsOfTheHash()
    {
        Assert.Equal(0, KeyPartitioner.RangeOfHash(0, 1024));
        Assert.Equal(1023, KeyPartitioner.RangeOfHash(ulong.MaxValue, 1024));
        Assert.Equal(512, KeyPartitioner.RangeOfHash(1UL << 63, 1024));
        Assert.Equal(1, KeyPartitioner.RangeOfHash(1UL << 63, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyPartitioner.RangeOfHash(0, 1000));
    }

    [Fact]
    public void KeysSpreadEvenlyOverRanges()
    {
        const int ranges = 64;
        var counts = new int[ranges];
        for (var i = 0; i < 64_000; i++)
        {
            counts[KeyPartitioner.RangeOf(System.Text.Encoding.UTF8.GetBytes($"user:{i}"), ranges)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void EngineKeysKeepEachRangeContiguous()
    {
        var inRange = StorageKeys.Encode(5, [0xFF, 0xFF]);
        Assert.True(StorageKeys.RangeStart(5).AsSpan().SequenceCompareTo(inRange) <= 0);
        Assert.True(inRange.AsSpan().SequenceCompareTo(StorageKeys.RangeEnd(5)) < 0);
        Assert.True(StorageKeys.Encode(4, [0xFF]).AsSpan().SequenceCompareTo(StorageKeys.RangeStart(5)) < 0);
        Assert.Equal(new byte[] { 0xFF, 0xFF }, StorageKeys.UserKey(inRange).ToArray());
    }

    [Theory]
    [InlineData("localhost:30000", "localhost", 30000)]
    [InlineData("10.0.0.5:1", "10.0.0.5", 1)]
    [InlineData("[::1]:30001", "::1", 30001)]
    public void GatewaysParse(string text, string host, int port) => Assert.Equal((host, port), GatewayEndpoints.Parse(text));

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData(":30000")]
    public void MalformedGatewaysAreRejected(string text) => Assert.Throws<ArgumentException>(() => GatewayEndpoints.Parse(text));
}
