// The bloom filter alone: no false negatives, and a false-positive rate within a bound for its bits per
// key. Keys are random (a fixed seed, so the measured rate is the same on every run); the bound is 1.5 times
// the expected rate of a filter blocked by cache line: the number of keys in a line is Poisson-distributed
// with mean 512 / (bits per key), and a line holding j keys with k probes each answers "maybe" for an absent
// key with probability (1 - (1 - 1/512)^(k j))^k. That leaves room for the hash functions' departure from
// ideal ones but fails a filter that lost its probes, its bits or its lines. Filters written in the earlier,
// unblocked form are still read.

using System.Text;
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

        var probesPerKey = BloomFilter.ProbesFor(bitsPerKey);
        var expected = ExpectedFalsePositiveRate(bitsPerKey, probesPerKey);
        var rate = (double)falsePositives / Probes;
        Assert.True(rate <= 1.5 * expected, $"{bitsPerKey} bits/key, {probesPerKey} probes: false-positive rate {rate:P3}, expected {expected:P3}, bound {1.5 * expected:P3}");
    }

    [Fact]
    public void AFilterTakesWholeCacheLinesAndRecordsItsProbes()
    {
        var stored = BloomFilter.Build(Enumerable.Range(0, 1000).Select(i => (ulong)i * 0x9E3779B97F4A7C15).ToList(), bitsPerKey: 10);

        Assert.Equal(0, (stored.Length - 1) % BloomFilter.LineBytes);
        Assert.Equal((1000 * 10 + 511) / 512, (stored.Length - 1) / BloomFilter.LineBytes);
        Assert.Equal(0x80 | BloomFilter.ProbesFor(10), stored[0]);
    }

    [Fact]
    public void AFilterWrittenInTheEarlierUnblockedFormIsStillRead()
    {
        // 100 keys "key-0" .. "key-99" at 10 bits per key, as tables written before blocking store them.
        var stored = Convert.FromBase64String(
            "B33gHVPTbES751+uwzsDiQuo6l9RSO0tHnR/H1BVQkMbHL4ZYeKXs4OQEBxsBAlz3BvUaQ/VYE+Eb6332vUfEn1VtcqtLEe6IV9wAZxxp6qSAKXdC5Oq08H3xr3MNz+5GmBvpu59XyFlzkPtnHoqOsbcFbcAQLXdpN8acF+N");
        var filter = BloomFilter.Load(stored, "old.sst");

        Assert.All(Enumerable.Range(0, 100), i => Assert.True(filter.MayContain(BloomFilter.Hash(Encoding.ASCII.GetBytes($"key-{i}")))));
        var falsePositives = Enumerable.Range(0, 10_000).Count(i => filter.MayContain(BloomFilter.Hash(Encoding.ASCII.GetBytes($"absent-{i}"))));
        Assert.InRange(falsePositives, 0, 300); // about 1 % at 10 bits per key; an answer of "maybe" for all would be 10,000
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
    [InlineData(new byte[] { 0x80 | 6, 0xFF })] // blocked, but not a whole line
    [InlineData(new byte[] { 0x80, 0xFF })] // blocked, no probes
    public void AMalformedFilterIsACorruption(byte[] stored)
    {
        var error = Assert.Throws<CorruptionException>(() => BloomFilter.Load(stored, "table.sst"));
        Assert.Equal("table.sst", error.File);
    }

    /// <summary>The expected false-positive rate of a blocked filter (see the top of the file).</summary>
    private static double ExpectedFalsePositiveRate(int bitsPerKey, int probes)
    {
        const int lineBits = 512;
        var mean = (double)lineBits / bitsPerKey;
        double rate = 0, poisson = Math.Exp(-mean);
        for (var keys = 0; keys < 400; keys++)
        {
            rate += poisson * Math.Pow(1 - Math.Pow(1 - 1.0 / lineBits, probes * keys), probes);
            poisson *= mean / (keys + 1);
        }

        return rate;
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
