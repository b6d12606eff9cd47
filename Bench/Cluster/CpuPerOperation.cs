// What a cell's operations cost in processor time: the target's server processes (silos, redis-servers) and the
// driver (this process: the client library and the workers), each in microseconds per operation over the measured
// seconds. Two targets compared in one run then show where the difference goes — into the servers or into the
// client — without a profiler; on a host whose cores the servers and the driver share, both count.

using System.Diagnostics;

namespace GrainKV.Bench.Cluster;

/// <summary>Processor time of the servers and of the driver, and operations completed, at one moment.</summary>
internal readonly record struct CpuSample(long Operations, TimeSpan Servers, TimeSpan Driver)
{
    /// <summary>Microseconds of server and driver processor time per operation from <paramref name="start"/> to
    /// <paramref name="end"/>; null when no operation completed between them or the servers' time is unknown.</summary>
    public static (double Servers, double Driver)? PerOperation(CpuSample start, CpuSample end)
    {
        var operations = end.Operations - start.Operations;
        if (operations <= 0 || end.Servers < start.Servers)
        {
            return null;
        }

        return ((end.Servers - start.Servers).TotalMicroseconds / operations, (end.Driver - start.Driver).TotalMicroseconds / operations);
    }
}

/// <summary>Reads the processor time of a target's server processes and of this process.</summary>
/// <param name="servers">The servers' processor time so far (summed over their processes).</param>
internal sealed class CpuMeter(Func<TimeSpan> servers)
{
    /// <summary>This process (one for every meter: cells run one at a time).</summary>
    private static readonly Process Driver = Process.GetCurrentProcess();

    public CpuSample Sample(long operations)
    {
        Driver.Refresh();
        return new CpuSample(operations, servers(), Driver.TotalProcessorTime);
    }
}
