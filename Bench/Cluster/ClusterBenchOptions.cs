// Options of `GrainKV.Bench cluster`; ClusterBenchArguments declares them on the command line.

using GrainKV.Bench.Common;

namespace GrainKV.Bench.Cluster;

internal sealed class ClusterBenchOptions
{
    public static readonly string[] AllTargets = ["grainkv-n3", "grainkv-n1", "grainkv-1silo", "orleans-echo", "redis", "redis-repl"];

    /// <summary>Targets served by the three-silo cluster.</summary>
    public static readonly string[] ThreeSiloTargets = ["grainkv-n3", "grainkv-n1"];

    /// <summary>Targets served by the one-silo cluster.</summary>
    public static readonly string[] OneSiloTargets = ["grainkv-1silo", "orleans-echo"];

    public required IReadOnlyList<string> Targets { get; init; }

    public required IReadOnlyList<YcsbWorkload> Workloads { get; init; }

    public KeyDistribution? Distribution { get; init; }

    public required IReadOnlyList<int> Concurrency { get; init; }

    public long Records { get; init; }

    public int ValueSize { get; init; }

    public TimeSpan Duration { get; init; }

    public TimeSpan Warmup { get; init; }

    public long MaxOps { get; init; }

    /// <summary>Unmeasured mixed load (workload A, highest concurrency) after loading, before the first cell.</summary>
    public TimeSpan Settle { get; init; }

    /// <summary>GrainKV targets update with a blind overwrite (<c>OverwriteAsync</c>) instead of a put with the last read's context.</summary>
    public bool OverwriteUpdates { get; init; }

    /// <summary>The GrainKV client sends its requests in batches (<c>GrainKvClientOptions.BatchRequests</c>).</summary>
    public bool ClientBatching { get; init; }

    /// <summary>Operations per second the workers share (paced, latency from the intended start); null: closed loop.</summary>
    public double? Rate { get; init; }

    public int Repeat { get; init; }

    public int Silos { get; init; }

    public int BasePort { get; init; }

    public int RedisPort { get; init; }

    public string Durability { get; init; } = "Buffered";

    /// <summary>The silos' commit interval with Buffered durability; null leaves the node default.</summary>
    public int? CommitIntervalMs { get; init; }

    public string? SiloDll { get; init; }

    public string RedisServer { get; init; } = "redis-server";

    public int WaitTimeoutMs { get; init; }

    public string Out { get; init; } = "bench-results";

    public bool KeepData { get; init; }

    public int Seed { get; init; }
}
