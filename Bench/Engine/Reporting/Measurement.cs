// Wraps one workload with everything measured around it: a GC and a peak-RSS reset before; process write
// bytes and store counters before and after (optionally including the store's close, so a fill's final log
// commit or flush counts); the directory size at the end. Turns the outcome into a WorkloadResult.


using GrainKV.Bench.Common;
using GrainKV.Bench.Engine.Metrics;
using GrainKV.Bench.Engine.Stores;
using GrainKV.Bench.Engine.Workloads;

namespace GrainKV.Bench.Engine.Reporting;

internal sealed class Measurement(string storeName, int valueSize, int threads, int repeat)
{
    public async ValueTask<WorkloadResult> RunAsync(
        string workload, IBenchStore store, string directory, bool closeAfter, Func<WorkloadOutcome> body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rssReset = ProcessMetrics.TryResetPeakRss();
        var writtenBefore = ProcessMetrics.WrittenBytes();
        var countersBefore = store.ReadCounters();

        var outcome = body();

        var countersAfter = store.ReadCounters();
        if (closeAfter)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }

        var writtenAfter = ProcessMetrics.WrittenBytes();
        var userBytes = outcome.Writes * (KeyFormat.KeySize + (long)valueSize);
        var extra = new Dictionary<string, double>(outcome.Extra) { ["rss_per_workload"] = rssReset ? 1 : 0 };
        var histogram = outcome.Histogram;
        return new WorkloadResult
        {
            Store = storeName,
            Workload = workload,
            ValueSize = valueSize,
            Threads = threads,
            Repeat = repeat,
            Ops = histogram.TotalCount,
            Seconds = outcome.Elapsed.TotalSeconds,
            OpsPerSecond = histogram.TotalCount / Math.Max(outcome.Elapsed.TotalSeconds, 1e-9),
            P50Micros = histogram.PercentileMicros(50),
            P99Micros = histogram.PercentileMicros(99),
            P999Micros = histogram.PercentileMicros(99.9),
            MaxMicros = histogram.MaxMicros(),
            DiskBytes = DirectorySize.Of(directory),
            PeakRssBytes = ProcessMetrics.PeakRssBytes(),
            WriteAmp = userBytes > 0 && writtenBefore >= 0 ? (double)(writtenAfter - writtenBefore) / userBytes : null,
            EngineWriteAmp = userBytes > 0 && countersAfter.TryGetValue(StoreCounterNames.EngineBytesWritten, out var after)
                ? (double)(after - countersBefore.GetValueOrDefault(StoreCounterNames.EngineBytesWritten)) / userBytes
                : null,
            Extra = extra,
        };
    }
}
