// The outcome of one benchmark cell (target × workload × distribution × concurrency × repeat), and the
// median over repeats that the table, CSV and plot show.
//
// StartLagP99Micros (paced cells; null for closed-loop ones): the p99 of how late a worker took an operation after its
// intended start. Small when the target keeps up with the schedule; large when every worker was busy (the target fell
// behind, so the latencies are mostly the backlog's) or the driver's schedule thread ran late.
// ServerCpuMicrosPerOp / DriverCpuMicrosPerOp: processor time per operation over the measured seconds, of the target's
// server processes and of the driver (CpuPerOperation.cs); null where not measured.

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
    double? StartLagP99Micros = null,
    double? ServerCpuMicrosPerOp = null,
    double? DriverCpuMicrosPerOp = null)
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
                MedianOf(g, r => r.StartLagP99Micros), MedianOf(g, r => r.ServerCpuMicrosPerOp), MedianOf(g, r => r.DriverCpuMicrosPerOp)))
            .ToList();

    /// <summary>The median of a number every repeat has; null if one lacks it.</summary>
    private static double? MedianOf(List<CellResult> rows, Func<CellResult, double?> number) =>
        rows.All(r => number(r) is not null) ? Median(rows.Select(r => number(r)!.Value)) : null;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
