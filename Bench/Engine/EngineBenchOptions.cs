// Options of the engine benchmark, shared by the parent (engine-compare) and its per-store children
// (engine). EngineBenchArguments declares each option once (name, default, help text, validation) on a
// System.CommandLine command; Bind turns a parse into these options. The parent passes its own arguments
// down unchanged, so a child reads exactly the parent's options.

using System.CommandLine;
using GrainKV.Bench.Arguments;
using GrainKV.Bench.Common;
using GrainKV.Bench.Engine.Stores;
using GrainKV.Bench.Engine.Workloads;

namespace GrainKV.Bench.Engine;

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

    /// <summary>Server GC in the children (as the silo, which hosts the engine, runs); false: workstation GC.</summary>
    public required bool ServerGc { get; init; }

    /// <summary>The children's GC heap hard limit in MiB (what the silo's GrainKV:HeapLimitMb sets), or null for the
    /// runtime's default.</summary>
    public required long? HeapLimitMb { get; init; }
}

/// <summary>The engine commands' options, declared once; <see cref="AddTo"/> puts them on a command.</summary>
internal sealed class EngineBenchArguments
{
    private readonly Option<bool> _quick = BenchOption.Flag("--quick", $"a smoke run: {EngineBenchOptions.QuickKeys:N0} keys and 500 scans unless given");
    private readonly Option<long?> _keys = BenchOption.OptionalLong("--keys", "keys per fill [1000000; 50000 with --quick]", 1, int.MaxValue);
    private readonly ListOption<int> _valueSizes = BenchOption.IntList("--value-sizes", [1024, 100], "value sizes in bytes");
    private readonly Option<long?> _reads = BenchOption.OptionalLong("--reads", "point reads per read workload [= keys]", 0);
    private readonly Option<long?> _scans = BenchOption.OptionalLong("--scans", "range reads [1000; 500 with --quick]", 0);
    private readonly Option<int> _scanLength = BenchOption.Int("--scan-length", 100, "entries per range read");
    private readonly Option<int> _threads = BenchOption.Int("--threads", 1, "client threads (readwhilewriting: N readers + 1 writer)");
    private readonly ListOption<string> _workloads = BenchOption.Names("--workloads", WorkloadNames.All, "workloads to run, in this order", WorkloadNames.All);
    private readonly Option<string> _distribution = BenchOption.Choice("--distribution", "uniform", "key choice for reads and scans", "uniform", "zipfian");
    private readonly Option<string> _durability = BenchOption.Choice(
        "--durability", "buffered",
        "the same on both stores; buffered: RocksDB sync=false, GrainKV LogDurability.Buffered; synced: RocksDB sync=true, GrainKV LogDurability.Synced",
        "buffered", "synced");
    private readonly Option<int> _commitIntervalMs = BenchOption.Int("--commit-interval-ms", 10, "GrainKV log commit period when buffered, in ms");
    private readonly Option<long> _cacheMb = BenchOption.Long("--cache-mb", 64, "block cache budget in MiB", 0);
    private readonly Option<long> _memtableMb = BenchOption.Long("--memtable-mb", 64, "memtable budget in MiB");
    private readonly Option<int> _bloomBits = BenchOption.Int("--bloom-bits", 10, "bloom filter bits per key; GrainKV 1..40, RocksDB also 0 = no filter", 0);
    private readonly Option<string> _compression = BenchOption.Choice(
        "--compression", "none", "block compression; GrainKV: anything but none = LZ4", "none", "lz4", "snappy", "zstd");
    private readonly ListOption<string> _stores = BenchOption.Names("--stores", StoreCatalog.Names, "stores to compare", StoreCatalog.Names);
    private readonly Option<int> _repeat = BenchOption.Int("--repeat", 1, "runs per store; tables show medians");
    private readonly Option<int> _seed = BenchOption.Int("--seed", 42, "random seed", 0);
    private readonly Option<string> _out = BenchOption.Text("--out", "bench-results", "results directory");
    private readonly Option<string?> _dataDir = BenchOption.OptionalText("--data-dir", "where stores put their data [<out>/data]");
    private readonly Option<bool> _keepData = BenchOption.Flag("--keep-data", "keep the stores' data afterwards");
    private readonly Option<string> _gc = BenchOption.Choice(
        "--gc", "server", "garbage collector of the engine-compare children: server (as the silo that hosts the engine runs) or workstation", "server", "workstation");
    private readonly Option<long?> _heapLimitMb = BenchOption.OptionalLong(
        "--heap-limit-mb", "GC heap hard limit of the engine-compare children in MiB, as the silo's GrainKV:HeapLimitMb [runtime default]", 64, 1 << 22);

    public void AddTo(Command command)
    {
        Option[] all = [_quick, _keys, _valueSizes, _reads, _scans, _scanLength, _threads, _workloads, _distribution, _durability, _commitIntervalMs,
            _cacheMb, _memtableMb, _bloomBits, _compression, _stores, _repeat, _seed, _out, _dataDir, _keepData, _gc, _heapLimitMb];
        foreach (var option in all)
        {
            command.Add(option);
        }
    }

    public EngineBenchOptions Bind(ParseResult parse)
    {
        var quick = parse.GetValue(_quick);
        var keys = parse.GetValue(_keys) ?? (quick ? EngineBenchOptions.QuickKeys : 1_000_000);
        var valueSizes = _valueSizes.ValueOf(parse);
        var outDirectory = parse.GetRequiredValue(_out);
        return new EngineBenchOptions
        {
            Keys = keys,
            Reads = parse.GetValue(_reads) ?? keys,
            Scans = parse.GetValue(_scans) ?? (quick ? 500 : 1_000),
            ScanLength = parse.GetValue(_scanLength),
            ValueSizes = valueSizes,
            Threads = parse.GetValue(_threads),
            Stores = _stores.ValueOf(parse),
            Workloads = _workloads.ValueOf(parse),
            Distribution = Enum.Parse<KeyDistribution>(parse.GetRequiredValue(_distribution), ignoreCase: true),
            Settings = new StoreSettings(
                Enum.Parse<BenchDurability>(parse.GetRequiredValue(_durability), ignoreCase: true),
                TimeSpan.FromMilliseconds(parse.GetValue(_commitIntervalMs)),
                parse.GetValue(_cacheMb) << 20,
                parse.GetValue(_memtableMb) << 20,
                parse.GetValue(_bloomBits),
                parse.GetRequiredValue(_compression),
                Math.Max(1024 * 1024, valueSizes.Max())),
            Seed = parse.GetValue(_seed),
            Repeat = parse.GetValue(_repeat),
            OutDirectory = outDirectory,
            DataDirectory = parse.GetValue(_dataDir) ?? Path.Combine(outDirectory, "data"),
            KeepData = parse.GetValue(_keepData),
            ServerGc = parse.GetRequiredValue(_gc) == "server",
            HeapLimitMb = parse.GetValue(_heapLimitMb),
        };
    }
}
