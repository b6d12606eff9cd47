// What the benchmark reads about its own process: peak resident set (VmHWM, resettable per workload on
// Linux through /proc/self/clear_refs) and the bytes the kernel accounted as written by the process
// (/proc/self/io write_bytes). Each store runs in its own child process, so both are per store.

using System.Diagnostics;

namespace GrainKV.Bench.Engine.Metrics;

internal static class ProcessMetrics
{
    /// <summary>Resets the peak-RSS high-water mark to the current RSS. Returns false where the kernel does not allow it.</summary>
    public static bool TryResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Peak resident set size in bytes (VmHWM), or the runtime's peak working set where /proc is absent.</summary>
    public static long PeakRssBytes()
    {
        var kib = ReadProcField("/proc/self/status", "VmHWM:");
        if (kib >= 0)
        {
            return kib * 1024;
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>Bytes this process caused to be written to storage so far (write_bytes), or -1 if unknown.</summary>
    public static long WrittenBytes() => ReadProcField("/proc/self/io", "write_bytes:");

    private static long ReadProcField(string path, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var digits = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return -1;
    }
}
