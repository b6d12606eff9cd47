// fillseq and fillrandom: every key 0..N-1 written once into an empty store, split across threads by
// stride (thread t writes positions t, t+T, ...) so the global order stays close to the intended one.


using GrainKV.Bench.Common;
using GrainKV.Bench.Engine.Stores;

namespace GrainKV.Bench.Engine.Workloads;

internal static class FillWorkload
{
    public static WorkloadOutcome Sequential(IBenchStore store, WorkloadContext context) =>
        Run(store, context, WorkloadNames.FillSeq, position => position);

    public static WorkloadOutcome Random(IBenchStore store, WorkloadContext context)
    {
        var order = Permutation(context.Keys, context.Seed);
        return Run(store, context, WorkloadNames.FillRandom, position => order[position]);
    }

    private static WorkloadOutcome Run(IBenchStore store, WorkloadContext context, string name, Func<long, long> keyAt)
    {
        var (histogram, elapsed) = ThreadRunner.Run(context.Title(name), context.Keys, context.Threads, (thread, latencies) =>
        {
            var key = new byte[KeyFormat.KeySize];
            var random = new System.Random(HashCode.Combine(context.Seed, thread, "fill"));
            for (long position = thread; position < context.Keys; position += context.Threads)
            {
                KeyFormat.Write(key, keyAt(position));
                var value = context.Values.Next(random);
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                ThreadRunner.Wait(store.PutAsync(key, value));
                latencies.RecordSince(start);
            }
        });
        return new WorkloadOutcome(histogram, elapsed, histogram.TotalCount, new Dictionary<string, double>());
    }

    private static int[] Permutation(long count, int seed)
    {
        var order = new int[count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        new System.Random(seed).Shuffle(order);
        return order;
    }
}
