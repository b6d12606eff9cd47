// Running totals of one operation's requests on this node, for the dashboard: how many, how many failed,
// their summed latency and a latency histogram (LatencyBuckets). Cumulative since the silo started, so a
// reader derives rates and recent latencies from two readings. Updated with interlocked adds only: no lock
// and no allocation per request.

namespace GrainKV.Grains.Metrics;

/// <summary>Cumulative figures of one operation's requests.</summary>
/// <param name="Count">Requests answered.</param>
/// <param name="Failed">Of those, requests that failed (bad input included).</param>
/// <param name="LatencySeconds">Their summed latency.</param>
/// <param name="Buckets">Requests per latency bucket (<see cref="LatencyBuckets.Boundaries"/>, then one unbounded bucket).</param>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.RequestFigures")]
public sealed record RequestFigures([property: Id(0)] long Count, [property: Id(1)] long Failed, [property: Id(2)] double LatencySeconds, [property: Id(3)] long[] Buckets);

/// <summary>Running totals of one operation's requests.</summary>
public sealed class RequestTotals
{
    private readonly long[] _buckets = new long[LatencyBuckets.Boundaries.Count + 1];
    private long _count;
    private long _failed;
    private long _latencyTicks;

    /// <summary>Adds one request that took <paramref name="elapsed"/>.</summary>
    public void Add(TimeSpan elapsed, bool failed)
    {
        Interlocked.Increment(ref _count);
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }

        Interlocked.Add(ref _latencyTicks, elapsed.Ticks);
        Interlocked.Increment(ref _buckets[LatencyBuckets.IndexOf(elapsed.TotalSeconds)]);
    }

    /// <summary>The totals now (read without a lock: each figure is exact, the set is not one instant).</summary>
    public RequestFigures Read()
    {
        var buckets = new long[_buckets.Length];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = Interlocked.Read(ref _buckets[i]);
        }

        return new RequestFigures(
            Interlocked.Read(ref _count), Interlocked.Read(ref _failed), TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks)).TotalSeconds, buckets);
    }
}
