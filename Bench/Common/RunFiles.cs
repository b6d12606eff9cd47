// Files a benchmark run leaves: its report (printed, and written under the output directory with a time stamp), and
// the scratch data directory of its servers (removed at the end, whatever happened).

namespace GrainKV.Bench.Common;

internal static class RunFiles
{
    /// <summary>Prints <paramref name="report"/> and writes it to <paramref name="outDir"/>/<paramref name="name"/>-time.md.</summary>
    public static async Task WriteReportAsync(string outDir, string name, string report, CancellationToken cancellationToken)
    {
        Console.WriteLine(report);
        Directory.CreateDirectory(outDir);
        var file = Path.Combine(outDir, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        await File.WriteAllTextAsync(file, report, cancellationToken);
        Console.WriteLine($"written to {file}");
    }

    /// <summary>Removes a run's scratch data directory; one that cannot be removed now is left behind.</summary>
    public static void DeleteScratch(string dataRoot)
    {
        try
        {
            Directory.Delete(dataRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
