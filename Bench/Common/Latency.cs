// Latency recording on HdrHistogram: one LongHistogram per worker (no sharing, no lock per record), merged
// after the run. Values are nanoseconds from 1 ns to 10 minutes at 3 significant digits, so a recorded value
// is reported within 0.1 % of itself (sub-microsecond engine reads keep their resolution); a longer value is
// recorded as 10 minutes. Reports read percentiles and the maximum in microseconds.

using System.Diagnostics;
using HdrHistogram;

namespace GrainKV.Bench.Common;

internal static class Latency
{
    /// <summary>The longest latency a histogram tells apart, in nanoseconds (10 minutes).</summary>
    public const long HighestNanoseconds = 600L * 1_000_000_000;

    /// <summary>Significant decimal digits kept for every value.</summary>
    public const int SignificantDigits = 3;

    private static readonly double NanosecondsPerTimestampTick = 1e9 / Stopwatch.Frequency;

    /// <summary>A new, empty histogram for one worker.</summary>
    public static LongHistogram NewHistogram() => new(1, HighestNanoseconds, SignificantDigits);

    /// <summary>Records <paramref name="nanoseconds"/>, clamped to the histogram's range.</summary>
    public static void RecordNanoseconds(this HistogramBase histogram, long nanoseconds) =>
        histogram.RecordValue(Math.Clamp(nanoseconds, 0, histogram.HighestTrackableValue));

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static void RecordSince(this HistogramBase histogram, long startTimestamp) =>
        histogram.RecordNanoseconds((long)((Stopwatch.GetTimestamp() - startTimestamp) * NanosecondsPerTimestampTick));

    /// <summary>The value at <paramref name="percentile"/> (0–100) in microseconds; 0 for an empty histogram.</summary>
    public static double PercentileMicros(this HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;

    /// <summary>The largest recorded value in microseconds (within the histogram's precision); 0 for an empty histogram.</summary>
    public static double MaxMicros(this HistogramBase histogram) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetMaxValue() / 1000.0;

    /// <summary>One histogram holding every value of <paramref name="histograms"/>.</summary>
    public static LongHistogram Merge(IEnumerable<HistogramBase> histograms)
    {
        var merged = NewHistogram();
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return merged;
    }
}
