// readwhilewriting (db_bench's): --threads readers do point reads of present keys while one more thread
// overwrites random keys as fast as it can until the readers finish. The reported rate and latencies are
// the readers'; the writer's rate and p99 are extras.


using GrainKV.Bench.Common;
using GrainKV.Bench.Engine.Stores;
using HdrHistogram;

namespace GrainKV.Bench.Engine.Workloads;

internal static class ReadWhileWritingWorkload
{
    public static WorkloadOutcome Run(IBenchStore store, WorkloadContext context)
    {
        var readers = context.Threads;
        var readersLeft = readers;
        var writerLatencies = Latency.NewHistogram();
        long found = 0;
        var (all, elapsed) = ThreadRunner.Run(context.Title(WorkloadNames.ReadWhileWriting), context.Reads, readers + 1, (thread, latencies) =>
        {
            if (thread == readers)
            {
                Write(store, context, writerLatencies, () => Volatile.Read(ref readersLeft) > 0);
                return;
            }

            var chooser = context.ChooserFor(thread, 4);
            var key = new byte[KeyFormat.KeySize];
            long localFound = 0;
            for (long i = context.ShareOf(context.Reads, thread); i > 0; i--)
            {
                KeyFormat.Write(key, chooser.Next());
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                localFound += store.Get(key) ? 1 : 0;
                latencies.RecordSince(start);
            }

            Interlocked.Add(ref found, localFound);
            Interlocked.Decrement(ref readersLeft);
        });
        return new WorkloadOutcome(all, elapsed, writerLatencies.TotalCount, new Dictionary<string, double>
        {
            ["found"] = found,
            ["writer_ops_per_sec"] = writerLatencies.TotalCount / Math.Max(elapsed.TotalSeconds, 1e-9),
            ["writer_p99_us"] = writerLatencies.PercentileMicros(99),
        });
    }

    // The writer records into its own histogram, so the one ThreadRunner merges holds reader latencies only.
    private static void Write(IBenchStore store, WorkloadContext context, LongHistogram latencies, Func<bool> keepGoing)
    {
        var key = new byte[KeyFormat.KeySize];
        var random = new Random(HashCode.Combine(context.Seed, "writer"));
        while (keepGoing())
        {
            KeyFormat.Write(key, random.NextInt64(context.Keys));
            var value = context.Values.Next(random);
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            ThreadRunner.Wait(store.PutAsync(key, value));
            latencies.RecordSince(start);
        }
    }
}
