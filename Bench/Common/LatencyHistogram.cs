// A log-linear latency histogram (the HdrHistogram idea, small): values in nanoseconds land in buckets
// that are exact below 64 ns and 64 sub-buckets per power of two above, so any recorded value is
// reported within 1/64 (~1.6 %) of itself. One instance per thread; merge them after the run.

using System.Numerics;

namespace GrainKV.Bench.Common;

/// <summary>Counts of latencies in log-linear buckets; not thread-safe.</summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int BucketCount = (64 - SubBucketBits + 1) * SubBucketCount;

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long MaxNanoseconds { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[IndexOf(nanoseconds)]++;
        Count++;
        if (nanoseconds > MaxNanoseconds)
        {
            MaxNanoseconds = nanoseconds;
        }
    }

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public void RecordSince(long startTimestamp) =>
        Record((long)(System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).Ticks * 100));

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds);
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100), as the middle of its bucket, in nanoseconds.</summary>
    public double ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (low, width) = BucketBounds(i);
                return Math.Min(low + (width - 1) / 2.0, MaxNanoseconds);
            }
        }

        return MaxNanoseconds;
    }

    private static int IndexOf(long value)
    {
        var highestBit = 63 - BitOperations.LeadingZeroCount((ulong)value | 1);
        if (highestBit < SubBucketBits)
        {
            return (int)value;
        }

        var shift = highestBit - SubBucketBits;
        return ((shift + 1) * SubBucketCount) + (int)((value >> shift) - SubBucketCount);
    }

    private static (long Low, long Width) BucketBounds(int index)
    {
        if (index < SubBucketCount)
        {
            return (index, 1);
        }

        var shift = (index / SubBucketCount) - 1;
        var sub = index % SubBucketCount;
        return ((long)(sub + SubBucketCount) << shift, 1L << shift);
    }
}
