// scan: seek to a random key and read the following scan-length entries, as a bounded range
// [key(i), key(i + scan-length)) on both stores. One operation is one whole range read.


using GrainKV.Bench.Common;
using GrainKV.Bench.Engine.Stores;

namespace GrainKV.Bench.Engine.Workloads;

internal static class ScanWorkload
{
    public static WorkloadOutcome Run(IBenchStore store, WorkloadContext context)
    {
        long entries = 0;
        var lastStart = context.Keys - context.ScanLength;
        var (histogram, elapsed) = ThreadRunner.Run(context.Title(WorkloadNames.Scan), context.Scans, context.Threads, (thread, latencies) =>
        {
            var chooser = context.ChooserFor(thread, 3);
            long localEntries = 0;
            for (long i = context.ShareOf(context.Scans, thread); i > 0; i--)
            {
                var first = Math.Min(chooser.Next(), lastStart);
                var from = KeyFormat.Create(first);
                var to = KeyFormat.Create(first + context.ScanLength);
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                localEntries += store.Scan(from, to);
                latencies.RecordSince(start);
            }

            Interlocked.Add(ref entries, localEntries);
        });
        return new WorkloadOutcome(histogram, elapsed, 0, new Dictionary<string, double>
        {
            ["entries"] = entries,
            ["entries_per_sec"] = entries / Math.Max(elapsed.TotalSeconds, 1e-9),
        });
    }
}
