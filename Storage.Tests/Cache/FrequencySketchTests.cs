// The frequency sketch alone: an estimate never falls below a key's count (up to the counters' cap), stays near it
// when the sketch is as wide as the keys it counts, and is halved once the additions reach the sample size.

using GrainKV.Storage.Cache;

namespace GrainKV.Storage.Tests.Cache;

public sealed class FrequencySketchTests
{
    private static ulong KeyHash(int key) => System.IO.Hashing.XxHash3.HashToUInt64(BitConverter.GetBytes(key));

    [Fact]
    public void AnEstimateIsNeverBelowTheCountAndRarelyAboveItWhenTheSketchIsAsWideAsItsKeys()
    {
        var sketch = new FrequencySketch(1024);
        var counts = new Dictionary<int, int>();
        var random = new Random(7);
        for (var i = 0; i < sketch.SampleSize - 1; i++)
        {
            var key = random.Next(1024);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            sketch.Increment(KeyHash(key));
        }

        var overstated = 0;
        foreach (var (key, count) in counts)
        {
            var estimate = sketch.Estimate(KeyHash(key));
            Assert.True(estimate >= Math.Min(count, FrequencySketch.MaxCount), $"key {key}: counted {count}, estimated {estimate}");
            if (estimate > Math.Min(count, FrequencySketch.MaxCount))
            {
                overstated++;
            }
        }

        Assert.True(overstated < counts.Count / 10, $"{overstated} of {counts.Count} keys overstated");
    }

    [Fact]
    public void ACountStopsAtTheCap()
    {
        var sketch = new FrequencySketch(1024);
        for (var i = 0; i < 100; i++)
        {
            sketch.Increment(KeyHash(1));
        }

        Assert.Equal(FrequencySketch.MaxCount, sketch.Estimate(KeyHash(1)));
        Assert.Equal(0, sketch.Estimate(KeyHash(2)));
    }

    [Fact]
    public void EveryCountIsHalvedOnceTheAdditionsReachTheSampleSize()
    {
        var sketch = new FrequencySketch(16);
        for (var i = 0; i < 12; i++)
        {
            sketch.Increment(KeyHash(1));
        }

        Assert.Equal(12, sketch.Estimate(KeyHash(1)));
        var others = 0;
        while (12 + others + 1 < sketch.SampleSize)
        {
            sketch.Increment(KeyHash(1000 + (others++ % 4)));
        }

        Assert.Equal(12, sketch.Estimate(KeyHash(1)));
        sketch.Increment(KeyHash(2000)); // the addition that reaches the sample size

        Assert.Equal(6, sketch.Estimate(KeyHash(1)));
    }
}
