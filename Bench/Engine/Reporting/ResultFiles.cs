// Results on disk: a child's raw rows (JSON), and the parent's results.json (settings, raw rows, medians),
// results.csv (medians) and results.md (the table) in one timestamped directory under --out.

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrainKV.Bench.Engine.Reporting;

internal static class ResultFiles
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static void WriteRows(string path, IReadOnlyList<WorkloadResult> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(rows, Json));
    }

    public static List<WorkloadResult> ReadRows(string path) =>
        JsonSerializer.Deserialize<List<WorkloadResult>>(File.ReadAllText(path), Json) ?? [];

    public static void WriteRun(string directory, object settings, IReadOnlyList<WorkloadResult> raw, IReadOnlyList<WorkloadResult> medians, string table)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "results.json"),
            JsonSerializer.Serialize(new { settings, medians, raw }, Json));
        File.WriteAllText(Path.Combine(directory, "results.csv"), Csv(medians));
        File.WriteAllText(Path.Combine(directory, "results.md"), table);
    }

    private static string Csv(IReadOnlyList<WorkloadResult> rows)
    {
        var text = new StringBuilder(
            "store,workload,value_size,threads,repeats,ops,seconds,ops_per_sec,p50_us,p99_us,p999_us,max_us,disk_bytes,peak_rss_bytes,write_amp,engine_write_amp\n");
        foreach (var r in rows)
        {
            text.AppendLine(string.Join(',',
                r.Store, r.Workload, I(r.ValueSize), I(r.Threads), I(r.Repeat), I(r.Ops), D(r.Seconds), D(r.OpsPerSecond),
                D(r.P50Micros), D(r.P99Micros), D(r.P999Micros), D(r.MaxMicros), I(r.DiskBytes), I(r.PeakRssBytes),
                r.WriteAmp is { } w ? D(w) : "", r.EngineWriteAmp is { } e ? D(e) : ""));
        }

        return text.ToString();
    }

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string D(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
