// Options of the engine benchmark, shared by the parent (engine-compare) and its per-store children
// (engine). The parent passes every option down with ToChildArguments, so both read one definition.

using System.Globalization;
using GrainKV.Bench.Stores;
using GrainKV.Bench.Workloads;

namespace GrainKV.Bench.Cli;

internal sealed record EngineBenchOptions
{
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

    /// <summary>The arguments that make a child read the same options (quick mode is already expanded).</summary>
    public IEnumerable<string> ToChildArguments()
    {
        string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
        yield return "--keys"; yield return Inv(Keys);
        yield return "--reads"; yield return Inv(Reads);
        yield return "--scans"; yield return Inv(Scans);
        yield return "--scan-length"; yield return Inv(ScanLength);
        yield return "--threads"; yield return Inv(Threads);
        yield return "--workloads"; yield return string.Join(',', Workloads);
        yield return "--distribution"; yield return Distribution == KeyDistribution.Zipfian ? "zipfian" : "uniform";
        yield return "--durability"; yield return Settings.Durability == BenchDurability.Synced ? "synced" : "buffered";
        yield return "--commit-interval-ms"; yield return Inv((long)Settings.CommitInterval.TotalMilliseconds);
        yield return "--cache-mb"; yield return Inv(Settings.CacheBytes >> 20);
        yield return "--memtable-mb"; yield return Inv(Settings.MemTableBytes >> 20);
        yield return "--bloom-bits"; yield return Inv(Settings.BloomBitsPerKey);
        yield return "--compression"; yield return Settings.Compression;
        yield return "--seed"; yield return Inv(Seed);
        yield return "--out"; yield return OutDirectory;
        yield return "--data-dir"; yield return DataDirectory;
        if (KeepData)
        {
            yield return "--keep-data";
        }
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
