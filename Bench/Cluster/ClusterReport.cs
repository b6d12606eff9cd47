// The cluster benchmark's output: the final table (markdown, also printed), results.csv, results.json
// (settings, medians, raw rows with per-second throughput) under --out/<timestamp>/.

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GrainKV.Bench.Cluster;

internal static class ClusterReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>One row per cell, with the processor time per operation of the target's servers and of the driver, and
    /// GrainKV/Redis ratios against single-node Redis and the replicated Redis.</summary>
    public static string Table(IReadOnlyList<CellResult> medians)
    {
        var text = new StringBuilder();
        text.AppendLine("| workload | dist | conc | target | ops/s | p50 ms | p99 ms | p99.9 ms | max ms | start lag p99 ms | server µs/op | driver µs/op | ÷ redis | ÷ redis-repl | errors |");
        text.AppendLine("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in medians.OrderBy(r => r.Workload, StringComparer.Ordinal).ThenBy(r => r.Distribution, StringComparer.Ordinal).ThenBy(r => r.Concurrency))
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Workload} | {r.Distribution} | {r.Concurrency} | {r.Target} | {r.OpsPerSecond:0} | {r.P50Micros / 1000:0.00} | {r.P99Micros / 1000:0.00} | {r.P999Micros / 1000:0.00} | {r.MaxMicros / 1000:0.0} | {r.StartLagP99Micros / 1000:0.00} | {r.ServerCpuMicrosPerOp:0.0} | {r.DriverCpuMicrosPerOp:0.0} | {Ratio(medians, r, "redis")} | {Ratio(medians, r, "redis-repl")} | {r.Errors} |"));
        }

        return text.ToString();
    }

    public static void Write(string directory, ClusterBenchOptions options, IReadOnlyList<CellResult> raw, IReadOnlyList<CellResult> medians, string table)
    {
        Directory.CreateDirectory(directory);
        var settings = new
        {
            options.Targets,
            Workloads = options.Workloads.Select(w => w.Name),
            Distribution = options.Distribution?.ToString(),
            options.Concurrency,
            options.Records,
            options.ValueSize,
            DurationSeconds = options.Duration.TotalSeconds,
            WarmupSeconds = options.Warmup.TotalSeconds,
            SettleSeconds = options.Settle.TotalSeconds,
            Updates = options.OverwriteUpdates ? "overwrite" : "context",
            options.Rate,
            options.MaxOps,
            options.Repeat,
            options.Durability,
            options.CommitIntervalMs,
            options.WaitTimeoutMs,
            options.Seed,
            Cores = Environment.ProcessorCount,
            CommandLine = Environment.CommandLine,
        };
        File.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(new { settings, medians, raw }, Json));
        File.WriteAllText(Path.Combine(directory, "results.md"), table);
        var csv = new StringBuilder("target,workload,distribution,concurrency,repeats,ops,errors,seconds,ops_per_sec,p50_us,p99_us,p999_us,max_us,start_lag_p99_us,server_cpu_us_per_op,driver_cpu_us_per_op\n");
        foreach (var r in medians)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Target},{r.Workload},{r.Distribution},{r.Concurrency},{r.Repeat},{r.Ops},{r.Errors},{r.Seconds:0.###},{r.OpsPerSecond:0.#},{r.P50Micros:0.#},{r.P99Micros:0.#},{r.P999Micros:0.#},{r.MaxMicros:0.#},{r.StartLagP99Micros:0.#},{r.ServerCpuMicrosPerOp:0.#},{r.DriverCpuMicrosPerOp:0.#}"));
        }

        File.WriteAllText(Path.Combine(directory, "results.csv"), csv.ToString());
    }

    private static string Ratio(IReadOnlyList<CellResult> rows, CellResult row, string baseline)
    {
        if (!row.Target.StartsWith("grainkv", StringComparison.Ordinal))
        {
            return "";
        }

        var b = rows.FirstOrDefault(r => r.Target == baseline && r.Workload == row.Workload && r.Distribution == row.Distribution && r.Concurrency == row.Concurrency);
        return b is { OpsPerSecond: > 0 } ? (row.OpsPerSecond / b.OpsPerSecond).ToString("0.00", CultureInfo.InvariantCulture) : "";
    }
}
