// The benchmark's latency recording (HdrHistogram through Bench/Common/Latency.cs): percentiles of a known
// distribution within the histogram's precision (3 significant digits), merging of per-worker histograms,
// sub-microsecond resolution, and values outside the range.

using GrainKV.Bench.Common;
using HdrHistogram;

namespace GrainKV.Tests.Bench.Common;

public sealed class LatencyTests
{
    /// <summary>The relative error 3 significant digits allow (HdrHistogram reports a bucket's highest value).</summary>
    private const double Precision = 0.001;

    [Fact]
    public void Percentiles_of_a_uniform_distribution_are_within_the_precision()
    {
        // 1 µs, 2 µs, ... 10,000 µs, once each: the p-th percentile is p% of 10 ms.
        var histogram = Latency.NewHistogram();
        for (long micros = 1; micros <= 10_000; micros++)
        {
            histogram.RecordNanoseconds(micros * 1000);
        }

        Assert.Equal(10_000, histogram.TotalCount);
        AssertClose(5_000, histogram.PercentileMicros(50));
        AssertClose(9_000, histogram.PercentileMicros(90));
        AssertClose(9_900, histogram.PercentileMicros(99));
        AssertClose(9_990, histogram.PercentileMicros(99.9));
        AssertClose(10_000, histogram.MaxMicros());
    }

    [Fact]
    public void A_long_tail_shows_in_the_high_percentiles_only()
    {
        // 990 operations of 100 µs, 9 of 50 ms and one of 2 s.
        var histogram = Latency.NewHistogram();
        RecordMany(histogram, 100_000, 990);
        RecordMany(histogram, 50_000_000, 9);
        histogram.RecordNanoseconds(2_000_000_000);

        AssertClose(100, histogram.PercentileMicros(50));
        AssertClose(100, histogram.PercentileMicros(99));
        AssertClose(50_000, histogram.PercentileMicros(99.9));
        AssertClose(2_000_000, histogram.MaxMicros());
    }

    [Fact]
    public void Merged_worker_histograms_report_what_one_histogram_of_every_value_reports()
    {
        var random = new Random(7);
        var workers = Enumerable.Range(0, 4).Select(_ => Latency.NewHistogram()).ToArray();
        var single = Latency.NewHistogram();
        for (var i = 0; i < 20_000; i++)
        {
            var nanoseconds = (long)(1_000 * Math.Exp(random.NextDouble() * 12));
            workers[i % workers.Length].RecordNanoseconds(nanoseconds);
            single.RecordNanoseconds(nanoseconds);
        }

        var merged = Latency.Merge(workers);

        Assert.Equal(20_000, merged.TotalCount);
        foreach (var percentile in new[] { 50, 90, 99, 99.9 })
        {
            Assert.Equal(single.PercentileMicros(percentile), merged.PercentileMicros(percentile));
        }

        Assert.Equal(single.MaxMicros(), merged.MaxMicros());
    }

    [Fact]
    public void Sub_microsecond_latencies_keep_their_resolution()
    {
        var histogram = Latency.NewHistogram();
        RecordMany(histogram, 350, 100);
        RecordMany(histogram, 820, 100);

        AssertClose(0.35, histogram.PercentileMicros(50));
        AssertClose(0.82, histogram.PercentileMicros(99));
    }

    [Fact]
    public void Values_outside_the_range_are_clamped_rather_than_thrown()
    {
        var histogram = Latency.NewHistogram();
        histogram.RecordNanoseconds(-5);
        histogram.RecordNanoseconds(Latency.HighestNanoseconds * 10);

        Assert.Equal(2, histogram.TotalCount);
        AssertClose(Latency.HighestNanoseconds / 1000.0, histogram.MaxMicros());
    }

    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var histogram = Latency.NewHistogram();

        Assert.Equal(0, histogram.PercentileMicros(99));
        Assert.Equal(0, histogram.MaxMicros());
    }

    private static void RecordMany(HistogramBase histogram, long nanoseconds, int count)
    {
        for (var i = 0; i < count; i++)
        {
            histogram.RecordNanoseconds(nanoseconds);
        }
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= (expected * Precision) + 1e-9, $"expected {expected} within {Precision:P1}, got {actual}");
}
