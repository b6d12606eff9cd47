// What every workload body needs: sizes, thread count, key distribution and the value source,
// fixed for one (store, value size) run.


using GrainKV.Bench.Common;
using HdrHistogram;

namespace GrainKV.Bench.Engine.Workloads;

internal sealed class WorkloadContext(EngineBenchOptions options, string store, int valueSize)
{
    /// <summary>How progress names a workload of this run.</summary>
    public string Title(string workload) => $"[{store}] {workload} ({valueSize} B)";

    public long Keys { get; } = options.Keys;
    public long Reads { get; } = options.Reads;
    public long Scans { get; } = options.Scans;
    public int ScanLength { get; } = (int)Math.Min(options.ScanLength, options.Keys);
    public int Threads { get; } = options.Threads;
    public int Seed { get; } = options.Seed;
    public KeyDistribution Distribution { get; } = options.Distribution;
    public ZipfGenerator? Zipf { get; } = KeyChooser.SharedGeneratorFor(options.Distribution, options.Keys);
    public ValueSource Values { get; } = new(valueSize, options.Seed);

    /// <summary>A key picker for thread <paramref name="thread"/> of workload number <paramref name="salt"/>.</summary>
    public KeyChooser ChooserFor(int thread, int salt) => new(Distribution, Keys, Zipf, HashCode.Combine(Seed, salt, thread));

    /// <summary>How many of <paramref name="total"/> operations thread <paramref name="thread"/> does.</summary>
    public long ShareOf(long total, int thread) => (total / Threads) + (thread < total % Threads ? 1 : 0);
}

/// <summary>What a workload body produced: latencies of its measured operations, wall time, writes done, extras.</summary>
internal sealed record WorkloadOutcome(
    LongHistogram Histogram,
    TimeSpan Elapsed,
    long Writes,
    IReadOnlyDictionary<string, double> Extra);
