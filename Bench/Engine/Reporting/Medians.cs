// Combines repeats: for each (value size, workload, store), the median of every number over the repeats.

namespace GrainKV.Bench.Engine.Reporting;

internal static class Medians
{
    public static List<WorkloadResult> Of(IEnumerable<WorkloadResult> results) =>
        results
            .GroupBy(r => (r.ValueSize, r.Workload, r.Store))
            .Select(Combine)
            .ToList();

    private static WorkloadResult Combine(IEnumerable<WorkloadResult> group)
    {
        var runs = group.ToList();
        var extraKeys = runs.SelectMany(r => r.Extra.Keys).Distinct(StringComparer.Ordinal);
        return runs[0] with
        {
            Repeat = runs.Count,
            Ops = (long)Median(runs.Select(r => (double)r.Ops)),
            Seconds = Median(runs.Select(r => r.Seconds)),
            OpsPerSecond = Median(runs.Select(r => r.OpsPerSecond)),
            P50Micros = Median(runs.Select(r => r.P50Micros)),
            P99Micros = Median(runs.Select(r => r.P99Micros)),
            P999Micros = Median(runs.Select(r => r.P999Micros)),
            MaxMicros = Median(runs.Select(r => r.MaxMicros)),
            DiskBytes = (long)Median(runs.Select(r => (double)r.DiskBytes)),
            PeakRssBytes = (long)Median(runs.Select(r => (double)r.PeakRssBytes)),
            WriteAmp = MedianOrNull(runs.Select(r => r.WriteAmp)),
            EngineWriteAmp = MedianOrNull(runs.Select(r => r.EngineWriteAmp)),
            Extra = extraKeys.ToDictionary(
                k => k,
                k => Median(runs.Where(r => r.Extra.ContainsKey(k)).Select(r => r.Extra[k])),
                StringComparer.Ordinal),
        };
    }

    private static double? MedianOrNull(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : Median(present);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
