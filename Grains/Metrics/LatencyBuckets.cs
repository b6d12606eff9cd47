// The latency buckets of request durations, shared by the Prometheus histogram (as the instrument's advice)
// and the dashboard's per-node totals, so both report the same resolution: 0.25 ms to 10 s, roughly
// doubling (a request that waits for a timeout lands in the last finite bucket or above it).

namespace GrainKV.Grains.Metrics;

/// <summary>Upper bounds, in seconds, of the request latency buckets.</summary>
public static class LatencyBuckets
{
    /// <summary>Upper bounds in seconds, ascending; a last, unbounded bucket follows.</summary>
    public static IReadOnlyList<double> Boundaries { get; } =
        [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    /// <summary>The bucket <paramref name="seconds"/> falls in (its upper bound is inclusive, as in Prometheus).</summary>
    public static int IndexOf(double seconds)
    {
        var bounds = Boundaries;
        for (var i = 0; i < bounds.Count; i++)
        {
            if (seconds <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Count;
    }
}
