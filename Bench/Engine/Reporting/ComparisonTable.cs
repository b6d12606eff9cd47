// The side-by-side table: per value size and workload, one row per store and a ratio row
// (first store / second store, i.e. grainkv/rocksdb). Markdown, so it pastes into docs/BENCHMARKS.md.
// Ratios read: ops/s above 1 = GrainKV faster; latency, disk, RSS, write-amp above 1 = GrainKV higher.

using System.Globalization;
using System.Text;
using GrainKV.Bench.Engine.Workloads;

namespace GrainKV.Bench.Engine.Reporting;

internal static class ComparisonTable
{
    private const string Header =
        "| value | workload | store | ops/s | p50 µs | p99 µs | p99.9 µs | disk MiB | peak RSS MiB | w-amp (proc) | w-amp (engine) | check |";

    private const string Rule = "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|";

    public static string Render(IReadOnlyList<WorkloadResult> results, IReadOnlyList<string> stores)
    {
        var text = new StringBuilder().AppendLine(Header).AppendLine(Rule);
        foreach (var valueSize in results.Select(r => r.ValueSize).Distinct())
        {
            foreach (var workload in WorkloadNames.All)
            {
                var rows = stores
                    .Select(s => results.FirstOrDefault(r => r.ValueSize == valueSize && r.Workload == workload && r.Store == s))
                    .ToList();
                foreach (var row in rows.OfType<WorkloadResult>())
                {
                    text.AppendLine(Row(row));
                }

                if (rows.Count == 2 && rows[0] is { } a && rows[1] is { } b)
                {
                    text.AppendLine(RatioRow(a, b));
                }
            }
        }

        return text.ToString();
    }

    private static string Row(WorkloadResult r) =>
        $"| {r.ValueSize} B | {r.Workload} | {r.Store} | {Number(r.OpsPerSecond, 0)} | {Number(r.P50Micros, 1)} | " +
        $"{Number(r.P99Micros, 1)} | {Number(r.P999Micros, 1)} | {Number(r.DiskBytes / 1048576.0, 1)} | " +
        $"{Number(r.PeakRssBytes / 1048576.0, 0)} | {Optional(r.WriteAmp)} | {Optional(r.EngineWriteAmp)} | {Check(r)} |";

    private static string RatioRow(WorkloadResult a, WorkloadResult b) =>
        $"| | | **{a.Store}/{b.Store}** | **{Ratio(a.OpsPerSecond, b.OpsPerSecond)}** | {Ratio(a.P50Micros, b.P50Micros)} | " +
        $"{Ratio(a.P99Micros, b.P99Micros)} | {Ratio(a.P999Micros, b.P999Micros)} | {Ratio(a.DiskBytes, b.DiskBytes)} | " +
        $"{Ratio(a.PeakRssBytes, b.PeakRssBytes)} | {Ratio(a.WriteAmp, b.WriteAmp)} | {Ratio(a.EngineWriteAmp, b.EngineWriteAmp)} | |";

    // Whether the store returned what the fill wrote: reads of present keys all found, absent ones none, scans full.
    private static string Check(WorkloadResult r)
    {
        if (r.Workload is WorkloadNames.ReadRandom or WorkloadNames.ReadWhileWriting && r.Extra.TryGetValue("found", out var found))
        {
            var check = found == r.Ops ? "all found" : $"{found:0}/{r.Ops} found";
            return r.Extra.TryGetValue("writer_ops_per_sec", out var writes) ? $"{check}; writer {Number(writes, 0)} ops/s" : check;
        }

        if (r.Workload == WorkloadNames.FillRandom && r.Extra.TryGetValue("reopen_ms", out var reopen))
        {
            return $"reopen {Number(reopen, 0)} ms";
        }

        if (r.Workload == WorkloadNames.ReadMissing && r.Extra.TryGetValue("found", out var wrong))
        {
            return wrong == 0 ? "none found" : $"{wrong:0} found!";
        }

        if (r.Workload == WorkloadNames.Scan && r.Extra.TryGetValue("entries", out var entries))
        {
            return $"{entries / Math.Max(r.Ops, 1):0.#} entries/scan";
        }

        return "";
    }

    private static string Number(double value, int decimals) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    private static string Optional(double? value) => value is { } v ? Number(v, 2) : "–";

    private static string Ratio(double? a, double? b) =>
        a is { } x && b is { } y && y > 0 ? (x / y).ToString("0.00", CultureInfo.InvariantCulture) : "–";
}
