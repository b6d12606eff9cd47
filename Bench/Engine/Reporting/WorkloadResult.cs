// One row of results: one workload on one store at one value size (one repeat, or the median of repeats).
// Serialized as-is into results.json and results.csv.

namespace GrainKV.Bench.Engine.Reporting;

internal sealed record WorkloadResult
{
    public required string Store { get; init; }
    public required string Workload { get; init; }
    public required int ValueSize { get; init; }
    public required int Threads { get; init; }
    public required int Repeat { get; init; }
    public required long Ops { get; init; }
    public required double Seconds { get; init; }
    public required double OpsPerSecond { get; init; }
    public required double P50Micros { get; init; }
    public required double P99Micros { get; init; }
    public required double P999Micros { get; init; }
    public required double MaxMicros { get; init; }

    /// <summary>Size of the store's directory after the workload (after close, for the fills).</summary>
    public required long DiskBytes { get; init; }

    /// <summary>Peak RSS during the workload (VmHWM reset before it), or of the whole process when reset is unavailable.</summary>
    public required long PeakRssBytes { get; init; }

    /// <summary>Bytes the kernel accounted as written by the process (/proc/self/io write_bytes) / user bytes written.</summary>
    public double? WriteAmp { get; init; }

    /// <summary>Bytes the store says it wrote (its statistics) / user bytes written; null where the store has no statistics.</summary>
    public double? EngineWriteAmp { get; init; }

    public IReadOnlyDictionary<string, double> Extra { get; init; } = new Dictionary<string, double>();
}
