// The outcome of one benchmark cell (target × workload × distribution × concurrency × repeat), and the
// median over repeats that the table, CSV and plot show.
//
// StartLagP99Micros (paced cells; null for closed-loop ones): the p99 of how late a worker took an operation after its
// intended start. Small when the target keeps up with the schedule; large when every worker was busy (the target fell
// behind, so the latencies are mostly the backlog's) or the driver's schedule thread ran late.

namespace GrainKV.Bench.Cluster;

internal sealed record CellResult(
    string Target,
    string Workload,
    string Distribution,
    int Concurrency,
    int Repeat,
    long Ops,
    long Errors,
    double Seconds,
    double OpsPerSecond,
    double P50Micros,
    double P99Micros,
    double P999Micros,
    double MaxMicros,
    IReadOnlyList<double> PerSecond,
    string? FirstError,
    double? StartLagP99Micros = null)
{
    /// <summary>Medians of every number over the repeats of each cell, in first-seen order.</summary>
    public static List<CellResult> Medians(IEnumerable<CellResult> rows) =>
        rows.GroupBy(r => (r.Target, r.Workload, r.Distribution, r.Concurrency))
            .Select(g => g.ToList())
            .Select(g => new CellResult(
                g[0].Target, g[0].Workload, g[0].Distribution, g[0].Concurrency, g.Count,
                (long)Median(g.Select(r => (double)r.Ops)), g.Sum(r => r.Errors), Median(g.Select(r => r.Seconds)),
                Median(g.Select(r => r.OpsPerSecond)), Median(g.Select(r => r.P50Micros)), Median(g.Select(r => r.P99Micros)),
                Median(g.Select(r => r.P999Micros)), Median(g.Select(r => r.MaxMicros)), [],
                g.Select(r => r.FirstError).FirstOrDefault(e => e is not null),
                g.All(r => r.StartLagP99Micros is not null) ? Median(g.Select(r => r.StartLagP99Micros!.Value)) : null))
            .ToList();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
