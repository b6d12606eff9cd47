// Options of the engine benchmark, shared by the parent (engine-compare) and its per-store children
// (engine): each option's name, default and validation are in Read, its help text in Help. The parent
// passes its own arguments down unchanged, so a child reads exactly the parent's options.

using System.Globalization;
using GrainKV.Bench.Common;
using GrainKV.Bench.Engine.Stores;
using GrainKV.Bench.Engine.Workloads;

namespace GrainKV.Bench.Engine;

internal sealed record EngineBenchOptions
{
    /// <summary>The engine commands' part of --help: the options <see cref="Read"/> declares, with their defaults.</summary>
    public const string Help = """
        GrainKV.Bench engine-compare [options]   GrainKV engine vs RocksDB, one child process per store, side by side
        GrainKV.Bench engine --store grainkv|rocksdb --value-size N [options]   one store, in this process

        Options (defaults in brackets):
          --keys N               keys per fill [1000000]; --quick sets 50000 and 500 scans
          --value-sizes A,B      value sizes in bytes [1024,100]
          --reads N              point reads per read workload [= keys]
          --scans N              range reads [1000]          --scan-length N   entries per range [100]
          --threads N            client threads (readwhilewriting: N readers + 1 writer) [1]
          --workloads LIST       fillseq,fillrandom,readrandom,readmissing,scan,readwhilewriting [all]
          --distribution D       uniform|zipfian key choice for reads and scans [uniform]
          --durability D         buffered|synced, the same on both stores [buffered]
                                 buffered: RocksDB sync=false, GrainKV LogDurability.Buffered
                                 synced:   RocksDB sync=true,  GrainKV LogDurability.Synced
          --commit-interval-ms N GrainKV log commit period when buffered [10]
          --cache-mb N           block cache budget [64]      --memtable-mb N   memtable budget [64]
          --bloom-bits N         bloom filter bits per key [10]; GrainKV 1..40, RocksDB also 0 = no filter
          --compression C        none|lz4|snappy|zstd [none]; GrainKV: anything but none = LZ4
          --stores LIST          grainkv,rocksdb [both]
          --repeat N             runs per store; tables show medians [1]
          --seed N               [42]
          --out DIR              results directory [bench-results]
          --data-dir DIR         where stores put their data [<out>/data]; --keep-data keeps it
        """;

    public const int QuickKeys = 50_000;

    public required long Keys { get; init; }
    public required long Reads { get; init; }
    public required long Scans { get; init; }
    public required int ScanLength { get; init; }
    public required IReadOnlyList<int> ValueSizes { get; init; }
    public required int Threads { get; init; }
    public required IReadOnlyList<string> Stores { get; init; }
    public required IReadOnlyList<string> Workloads { get; init; }
    public required KeyDistribution Distribution { get; init; }
    public required StoreSettings Settings { get; init; }
    public required int Seed { get; init; }
    public required int Repeat { get; init; }
    public required string OutDirectory { get; init; }
    public required string DataDirectory { get; init; }
    public required bool KeepData { get; init; }

    public static EngineBenchOptions Read(ArgumentReader args)
    {
        var quick = args.Flag("quick");
        var keys = args.Long("keys", quick ? QuickKeys : 1_000_000);
        var valueSizes = args.List("value-sizes", "1024,100").Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
        var outDirectory = args.String("out", "bench-results");
        var durability = args.String("durability", "buffered") switch
        {
            "buffered" => BenchDurability.Buffered,
            "synced" => BenchDurability.Synced,
            var other => throw new ArgumentException($"--durability must be buffered or synced, not '{other}'."),
        };
        var distribution = args.String("distribution", "uniform") switch
        {
            "uniform" => KeyDistribution.Uniform,
            "zipfian" => KeyDistribution.Zipfian,
            var other => throw new ArgumentException($"--distribution must be uniform or zipfian, not '{other}'."),
        };
        var options = new EngineBenchOptions
        {
            Keys = keys,
            Reads = args.Long("reads", keys),
            Scans = args.Long("scans", quick ? 500 : 1_000),
            ScanLength = args.Int("scan-length", 100),
            ValueSizes = valueSizes,
            Threads = args.Int("threads", 1),
            Stores = args.List("stores", string.Join(',', StoreCatalog.Names)),
            Workloads = args.List("workloads", string.Join(',', WorkloadNames.All)),
            Distribution = distribution,
            Settings = new StoreSettings(
                durability,
                TimeSpan.FromMilliseconds(args.Int("commit-interval-ms", 10)),
                args.Long("cache-mb", 64) << 20,
                args.Long("memtable-mb", 64) << 20,
                args.Int("bloom-bits", 10),
                args.String("compression", "none"),
                Math.Max(1024 * 1024, valueSizes.Max())),
            Seed = args.Int("seed", 42),
            Repeat = args.Int("repeat", 1),
            OutDirectory = outDirectory,
            DataDirectory = args.String("data-dir", Path.Combine(outDirectory, "data")),
            KeepData = args.Flag("keep-data"),
        };
        options.Validate();
        return options;
    }

    private void Validate()
    {
        if (Keys < 1 || Keys > int.MaxValue || Reads < 0 || Scans < 0 || ScanLength < 1 || Threads < 1 || Repeat < 1)
        {
            throw new ArgumentException("--keys (1..2^31), --reads, --scans, --scan-length, --threads and --repeat must be positive.");
        }

        if (ValueSizes.Count == 0 || ValueSizes.Any(v => v < 1))
        {
            throw new ArgumentException("--value-sizes needs positive sizes.");
        }

        foreach (var store in Stores)
        {
            StoreCatalog.Create(store);
        }

        foreach (var workload in Workloads)
        {
            if (!WorkloadNames.All.Contains(workload))
            {
                throw new ArgumentException($"Unknown workload '{workload}' (known: {string.Join(", ", WorkloadNames.All)}).");
            }
        }
    }
}
