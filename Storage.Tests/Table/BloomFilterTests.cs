// The bloom filter alone: no false negatives, and a false-positive rate within a bound for its bits per
// key. Keys are random (a fixed seed, so the measured rate is the same on every run); the bound is twice
// the textbook rate (1 - e^(-k/b))^k of an ideal filter with b bits and k probes per key, which leaves
// room for double hashing's departure from ideal hash functions but fails a filter that lost its
// probes or its bits.

using GrainKV.Storage.Table;

namespace GrainKV.Storage.Tests.Table;

public sealed class BloomFilterTests
{
    private const int Keys = 10_000;
    private const int Probes = 100_000;

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(16)]
    public void TheFalsePositiveRateIsWithinTheBoundForItsBitsPerKey(int bitsPerKey)
    {
        var random = new Random(20_251_126 + bitsPerKey);
        var stored = BloomFilter.Build(RandomKeys(random, Keys, prefix: 1).Select(k => BloomFilter.Hash(k)).ToList(), bitsPerKey);
        var filter = BloomFilter.Load(stored, "test");

        var falsePositives = RandomKeys(random, Probes, prefix: 2).Count(k => filter.MayContain(BloomFilter.Hash(k)));

        var probesPerKey = stored[0];
        var ideal = Math.Pow(1 - Math.Exp(-(double)probesPerKey / bitsPerKey), probesPerKey);
        var rate = (double)falsePositives / Probes;
        Assert.True(rate <= 2 * ideal, $"{bitsPerKey} bits/key, {probesPerKey} probes: false-positive rate {rate:P3}, ideal {ideal:P3}, bound {2 * ideal:P3}");
    }

    [Fact]
    public void MoreBitsPerKeyGiveFewerFalsePositives()
    {
        var random = new Random(7);
        var keys = RandomKeys(random, Keys, prefix: 1).Select(k => BloomFilter.Hash(k)).ToList();
        var absent = RandomKeys(random, Probes, prefix: 2).Select(k => BloomFilter.Hash(k)).ToList();

        var rates = new[] { 4, 8, 12 }
            .Select(bits => BloomFilter.Load(BloomFilter.Build(keys, bits), "test"))
            .Select(filter => absent.Count(filter.MayContain))
            .ToList();

        Assert.True(rates[0] > rates[1] && rates[1] > rates[2], $"false positives at 4, 8, 12 bits/key: {string.Join(", ", rates)}");
    }

    [Fact]
    public void EveryKeyPutInIsMaybePresent()
    {
        var hashes = RandomKeys(new Random(3), Keys, prefix: 1).Select(k => BloomFilter.Hash(k)).ToList();
        var filter = BloomFilter.Load(BloomFilter.Build(hashes, 10), "test");

        Assert.All(hashes, hash => Assert.True(filter.MayContain(hash)));
    }

    [Fact]
    public void AnEmptyFilterStillLoadsAndAnswers()
    {
        var filter = BloomFilter.Load(BloomFilter.Build([], 10), "test");

        Assert.False(filter.MayContain(BloomFilter.Hash("anything"u8)));
    }

    [Theory]
    [InlineData(new byte[] { 7 })] // no bit array
    [InlineData(new byte[] { 0, 0xFF })] // no probes
    [InlineData(new byte[] { 31, 0xFF })] // more probes than any filter is built with
    public void AMalformedFilterIsACorruption(byte[] stored)
    {
        var error = Assert.Throws<CorruptionException>(() => BloomFilter.Load(stored, "table.sst"));
        Assert.Equal("table.sst", error.File);
    }

    /// <summary>Distinct random 16-byte keys; the first byte (<paramref name="prefix"/>) keeps two sets apart.</summary>
    private static List<byte[]> RandomKeys(Random random, int count, byte prefix)
    {
        var keys = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var key = new byte[16];
            random.NextBytes(key);
            key[0] = prefix;
            keys.Add(key);
        }

        return keys;
    }
}
