// The benchmark's command line: bad values are refused before a run starts, with a message naming the
// option; defaults and --quick bind as documented; help is generated for the root and every command.

using System.CommandLine;
using GrainKV.Bench.Arguments;
using GrainKV.Bench.Cluster;
using GrainKV.Bench.Common;
using GrainKV.Bench.Engine;
using GrainKV.Bench.Engine.Stores;

namespace GrainKV.Tests.Bench.Arguments;

public sealed class BenchCommandLineTests
{
    [Theory]
    [InlineData("engine-compare --keys ten", "--keys: 'ten' is not a whole number")]
    [InlineData("engine-compare --keys 0", "--keys must be at least 1, not 0")]
    [InlineData("engine-compare --keys 3_000_000_000", "--keys must be at most 2147483647, not 3_000_000_000")]
    [InlineData("engine-compare --value-sizes 1024,0", "--value-sizes must be at least 1, not 0")]
    [InlineData("engine-compare --durability fast", "--durability: 'fast' is not one of buffered, synced")]
    [InlineData("engine-compare --workloads fillseq,fillsideways", "--workloads: 'fillsideways' is not one of")]
    [InlineData("engine-compare --stores grainkv,leveldb", "--stores: 'leveldb' is not one of grainkv, rocksdb")]
    [InlineData("engine-compare --compression brotli", "--compression: 'brotli' is not one of none, lz4, snappy, zstd")]
    [InlineData("engine --store leveldb", "--store: 'leveldb' is not one of grainkv, rocksdb")]
    [InlineData("cluster --concurrency 1,0", "--concurrency must be at least 1, not 0")]
    [InlineData("cluster --targets grainkv-n3,memcached", "--targets: 'memcached' is not one of")]
    [InlineData("cluster --workloads A,E", "--workloads: Unknown workload 'E'")]
    [InlineData("cluster --distribution hotspot", "--distribution: 'hotspot' is not one of uniform, zipfian, latest")]
    [InlineData("cluster --silos 2", "--silos must be 3")]
    [InlineData("cluster --updates blind", "--updates: 'blind' is not one of context, overwrite")]
    [InlineData("cluster --duration 0", "--duration must be at least 1, not 0")]
    [InlineData("cluster --records", "--records")]
    [InlineData("kill --workers -1", "--workers must be at least 1, not -1")]
    [InlineData("repair --keys 99", "--keys must be at least 100, not 99")]
    [InlineData("repair --divergence 0", "--divergence must be in (0, 100], not 0")]
    [InlineData("repair --divergence 1%", "--divergence: '1%' is not a number")]
    [InlineData("bootstrap --stream-mib 0", "--stream-mib must be at least 1, not 0")]
    [InlineData("bootstrap --keyz 5", "'--keyz'")]
    [InlineData("cluster --keys 5", "'--keys'")]
    [InlineData("benchmark-everything", "'benchmark-everything'")]
    public void A_bad_value_is_a_parse_error_naming_the_option(string arguments, string expected)
    {
        var parse = BenchCommandLine.Create().Parse(arguments.Split(' '));

        Assert.Contains(parse.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_value_stops_the_run_with_exit_code_1_and_the_message_on_standard_error()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await BenchCommandLine.Create().Parse(["cluster", "--concurrency", "0"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(1, exitCode);
        Assert.Contains("--concurrency must be at least 1, not 0", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_options_bind_their_defaults()
    {
        var options = BindEngine("");

        Assert.Equal(1_000_000, options.Keys);
        Assert.Equal(1_000_000, options.Reads);
        Assert.Equal(1_000, options.Scans);
        Assert.Equal(100, options.ScanLength);
        Assert.Equal([1024, 100], options.ValueSizes);
        Assert.Equal(StoreCatalog.Names, options.Stores);
        Assert.Equal(KeyDistribution.Uniform, options.Distribution);
        Assert.Equal(BenchDurability.Buffered, options.Settings.Durability);
        Assert.Equal(TimeSpan.FromMilliseconds(10), options.Settings.CommitInterval);
        Assert.Equal(64L << 20, options.Settings.CacheBytes);
        Assert.Equal(64L << 20, options.Settings.MemTableBytes);
        Assert.Equal(10, options.Settings.BloomBitsPerKey);
        Assert.Equal("none", options.Settings.Compression);
        Assert.Equal(1, options.Repeat);
        Assert.Equal(42, options.Seed);
        Assert.Equal(Path.Combine("bench-results", "data"), options.DataDirectory);
        Assert.False(options.KeepData);
    }

    [Fact]
    public void Quick_changes_only_the_engine_defaults_not_given()
    {
        var quick = BindEngine("--quick");
        var quickWithKeys = BindEngine("--quick --keys 1_000 --scans 7 --value-sizes 100 --out o --keep-data --durability SYNCED");

        Assert.Equal((EngineBenchOptions.QuickKeys, EngineBenchOptions.QuickKeys, 500L), (quick.Keys, quick.Reads, quick.Scans));
        Assert.Equal((1_000L, 1_000L, 7L), (quickWithKeys.Keys, quickWithKeys.Reads, quickWithKeys.Scans));
        Assert.Equal([100], quickWithKeys.ValueSizes);
        Assert.Equal(Path.Combine("o", "data"), quickWithKeys.DataDirectory);
        Assert.True(quickWithKeys.KeepData);
        Assert.Equal(BenchDurability.Synced, quickWithKeys.Settings.Durability);
    }

    [Fact]
    public void The_cluster_options_bind_their_defaults_and_quick()
    {
        var full = BindCluster("");
        var quick = BindCluster("--quick");
        var given = BindCluster("--quick --concurrency 64 --duration 8 --warmup 0 --distribution Latest --rate 5000 --commit-interval-ms 100 --workloads b,F --updates overwrite");

        Assert.Equal(ClusterBenchOptions.AllTargets, full.Targets);
        Assert.Equal(["A", "B", "C"], full.Workloads.Select(w => w.Name));
        Assert.Null(full.Distribution);
        Assert.Equal([1, 16, 64], full.Concurrency);
        Assert.Equal((20_000L, 10.0, 5.0, 60.0), (full.Records, full.Duration.TotalSeconds, full.Warmup.TotalSeconds, full.Settle.TotalSeconds));
        Assert.Null(full.Rate);
        Assert.Null(full.CommitIntervalMs);
        Assert.False(full.OverwriteUpdates);
        Assert.Equal(("Buffered", 21100, 26379, 42), (full.Durability, full.BasePort, full.RedisPort, full.Seed));

        Assert.Equal([1, 16], quick.Concurrency);
        Assert.Equal((10_000L, 5.0, 2.0, 5.0), (quick.Records, quick.Duration.TotalSeconds, quick.Warmup.TotalSeconds, quick.Settle.TotalSeconds));

        Assert.Equal([64], given.Concurrency);
        Assert.Equal((8.0, 0.0), (given.Duration.TotalSeconds, given.Warmup.TotalSeconds));
        Assert.Equal(KeyDistribution.Latest, given.Distribution);
        Assert.Equal(5000, given.Rate);
        Assert.Equal(100, given.CommitIntervalMs);
        Assert.Equal(["B", "F"], given.Workloads.Select(w => w.Name));
        Assert.True(given.OverwriteUpdates);
    }

    [Theory]
    [InlineData("engine-compare --keys=2_000 --quick --value-sizes 100,1024 --stores rocksdb")]
    [InlineData("engine-compare --keys 2000 --quick --value-sizes 100,1024 --stores rocksdb")]
    public void Engine_compare_passes_its_own_options_on_to_each_child(string arguments)
    {
        var parent = BenchCommandLine.Create().Parse(arguments.Split(' '));
        var child = EngineCompareCommand.ChildArguments("rocksdb", 1024, 1, "r.json", EngineCompareCommand.ArgumentsOf(parent)).ToArray();

        var declared = new EngineBenchArguments();
        var engine = new RootCommand();
        declared.AddTo(engine);
        engine.Add(new Option<string>("--store"));
        engine.Add(new Option<string>("--value-size"));
        engine.Add(new Option<string>("--repeat-index"));
        engine.Add(new Option<string>("--result-file"));
        var parse = engine.Parse(child[1..]);
        Assert.Empty(parse.Errors);
        var options = declared.Bind(parse);

        Assert.Equal(2_000, options.Keys);
        Assert.Equal(500, options.Scans);
        Assert.Equal([100, 1024], options.ValueSizes);
        Assert.Equal(["rocksdb"], options.Stores);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var output = await HelpAsync("--help");

        foreach (var command in new[] { "engine-compare", "engine", "cluster", "kill", "repair", "bootstrap" })
        {
            Assert.Contains("  " + command + " ", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("engine-compare")]
    [InlineData("engine")]
    [InlineData("cluster")]
    [InlineData("kill")]
    [InlineData("repair")]
    [InlineData("bootstrap")]
    public async Task Help_of_a_command_lists_each_of_its_options_with_its_description(string name)
    {
        var command = BenchCommandLine.Create().Subcommands.Single(c => c.Name == name);
        var output = await HelpAsync(name, "--help");

        Assert.All(command.Options.Where(o => o.Name != "--help"), option =>
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{option.Name} has no description");
            Assert.Contains(option.Name, output, StringComparison.Ordinal);
        });
    }

    private static async Task<string> HelpAsync(params string[] arguments)
    {
        var output = new StringWriter();
        var exitCode = await BenchCommandLine.Create().Parse(arguments).InvokeAsync(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exitCode);
        return output.ToString();
    }

    private static EngineBenchOptions BindEngine(string arguments)
    {
        var declared = new EngineBenchArguments();
        var command = new RootCommand();
        declared.AddTo(command);
        var parse = command.Parse(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(parse.Errors);
        return declared.Bind(parse);
    }

    private static ClusterBenchOptions BindCluster(string arguments)
    {
        var declared = new ClusterBenchArguments();
        var command = new RootCommand();
        declared.AddTo(command);
        var parse = command.Parse(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(parse.Errors);
        return declared.Bind(parse);
    }
}
