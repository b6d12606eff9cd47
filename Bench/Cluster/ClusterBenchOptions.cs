// Options of `GrainKV.Bench cluster`: each option's name, default and validation in Read, its help text in Help.


using GrainKV.Bench.Common;

namespace GrainKV.Bench.Cluster;

internal sealed class ClusterBenchOptions
{
    /// <summary>The cluster command's part of --help: the options <see cref="Read"/> declares, with their defaults.</summary>
    public const string Help = """
        GrainKV.Bench cluster [options]   YCSB-style workloads: GrainKV (3 silo processes) and Redis, side by side
          --targets LIST         grainkv-n3,grainkv-n1,grainkv-1silo,orleans-echo,redis,redis-repl [all]
                                 grainkv-n3: N=3/W=2/R=2; grainkv-n1: per-request N=1, W=R=ONE (both on 3 silos)
                                 grainkv-1silo: a cluster of one silo, N=1 (the peer of one redis-server)
                                 orleans-echo: each operation one echo of a value through the client to that one
                                 silo, nothing stored: the floor the Orleans client -> gateway hop sets
                                 redis: one redis-server; redis-repl: primary + 2 replicas, WAIT 1 after each write
          --workloads LIST       A,B,C,D,F [A,B,C]            --distribution D   uniform|zipfian|latest [per workload]
          --concurrency LIST     outstanding requests [1,16,64]; --quick: 1,16, 10k records, 2+5 s cells
          --records N            records loaded per target [20000]   --value-size N  bytes [1024]
          --duration S           measured seconds per cell [10]      --warmup S      unmeasured seconds first [5]
          --settle S             unmeasured workload A after loading, before the first cell [20]
          --rate N               paced: N ops/s shared by the workers, latency from each op's intended start [closed loop]
          --max-ops N            cap on operations per cell [50000000]   --repeat N  runs per cell; tables show medians [1]
          --durability D         silo commit log: Buffered|Synced [Buffered] (Redis runs without persistence)
          --commit-interval-ms N silo log commit period when Buffered [node default, 10]
          --base-port N          silo ports N.., gateways N+100.. [21100]   --redis-port N  [26379..]
          --silo-dll PATH        [Silo/bin/Release/net10.0/GrainKV.Silo.dll found above this program]
          --redis-server PATH    [redis-server]    --wait-timeout-ms N   WAIT timeout [1000]
          --out DIR              results directory [bench-results]   --keep-data   keep silo/redis data
        """;

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

    public static ClusterBenchOptions Read(ArgumentReader args)
    {
        var quick = args.Flag("quick");
        var distribution = args.String("distribution", "");
        var options = new ClusterBenchOptions
        {
            Targets = args.List("targets", string.Join(',', AllTargets)),
            Workloads = args.List("workloads", "A,B,C").Select(YcsbWorkload.Parse).ToList(),
            Distribution = distribution.Length == 0 ? null : Enum.Parse<KeyDistribution>(distribution, ignoreCase: true),
            Concurrency = args.List("concurrency", quick ? "1,16" : "1,16,64").Select(int.Parse).ToList(),
            Records = args.Long("records", quick ? 10_000 : 20_000),
            ValueSize = args.Int("value-size", 1024),
            Duration = TimeSpan.FromSeconds(args.Int("duration", quick ? 5 : 10)),
            Warmup = TimeSpan.FromSeconds(args.Int("warmup", quick ? 2 : 5)),
            MaxOps = args.Long("max-ops", 50_000_000),
            Settle = TimeSpan.FromSeconds(args.Int("settle", quick ? 5 : 20)),
            Rate = args.Int("rate", 0) is > 0 and var rate ? rate : null,
            Repeat = args.Int("repeat", 1),
            Silos = args.Int("silos", 3),
            BasePort = args.Int("base-port", 21100),
            RedisPort = args.Int("redis-port", 26379),
            Durability = args.String("durability", "Buffered"),
            CommitIntervalMs = args.Int("commit-interval-ms", 0) is > 0 and var ms ? ms : null,
            SiloDll = args.String("silo-dll", "") is { Length: > 0 } dll ? Path.GetFullPath(dll) : null,
            RedisServer = args.String("redis-server", "redis-server"),
            WaitTimeoutMs = args.Int("wait-timeout-ms", 1000),
            Out = args.String("out", "bench-results"),
            KeepData = args.Flag("keep-data"),
            Seed = args.Int("seed", 42),
        };
        args.EnsureAllRead();
        foreach (var target in options.Targets.Where(t => !AllTargets.Contains(t)))
        {
            throw new ArgumentException($"Unknown target '{target}' ({string.Join(", ", AllTargets)}).");
        }

        if (options.Silos != 3 && options.Targets.Any(ThreeSiloTargets.Contains))
        {
            throw new ArgumentException("--silos must be 3 (the cluster runs at N=3/W=2/R=2).");
        }

        if (options.Concurrency.Any(c => c < 1) || options.Records < 1 || options.ValueSize < 1 || options.Duration <= TimeSpan.Zero || options.Repeat < 1)
        {
            throw new ArgumentException("--concurrency, --records, --value-size, --duration and --repeat must be positive.");
        }

        return options;
    }
}
