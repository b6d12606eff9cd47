// readrandom and readmissing: point reads spread over threads. Counts what was found, so a result table
// shows at a glance whether the store returned what the fill wrote (found = ops for readrandom, 0 for readmissing).


using GrainKV.Bench.Common;
using GrainKV.Bench.Engine.Stores;

namespace GrainKV.Bench.Engine.Workloads;

internal static class ReadWorkload
{
    public static WorkloadOutcome Run(IBenchStore store, WorkloadContext context, bool missing)
    {
        long found = 0;
        var (histogram, elapsed) = ThreadRunner.Run(
            context.Title(missing ? WorkloadNames.ReadMissing : WorkloadNames.ReadRandom), context.Reads, context.Threads, (thread, latencies) =>
        {
            var chooser = context.ChooserFor(thread, missing ? 2 : 1);
            var key = new byte[missing ? KeyFormat.MissingKeySize : KeyFormat.KeySize];
            long localFound = 0;
            for (long i = context.ShareOf(context.Reads, thread); i > 0; i--)
            {
                if (missing)
                {
                    KeyFormat.WriteMissing(key, chooser.Next());
                }
                else
                {
                    KeyFormat.Write(key, chooser.Next());
                }

                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                localFound += store.Get(key) ? 1 : 0;
                latencies.RecordSince(start);
            }

            Interlocked.Add(ref found, localFound);
        });
        return new WorkloadOutcome(histogram, elapsed, 0, new Dictionary<string, double> { ["found"] = found });
    }
}
