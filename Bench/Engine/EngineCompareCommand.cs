// `GrainKV.Bench engine-compare [options]`: for each value size and repeat, runs each store in its own child
// process (store order alternates between repeats), then prints the side-by-side table of medians with
// grainkv/rocksdb ratios and writes results.json / .csv / .md under --out/<timestamp>/.

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GrainKV.Bench.Engine.Reporting;
using GrainKV.Bench.Engine.Workloads;

namespace GrainKV.Bench.Engine;

internal static class EngineCompareCommand
{
    public static Command Create()
    {
        var shared = new EngineBenchArguments();
        var command = new Command("engine-compare", "GrainKV's storage engine vs RocksDB, each store in its own child process, side by side");
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(shared.Bind(parse), ArgumentsOf(parse), cancellationToken));
        return command;
    }

    /// <summary>The options and values given on the command line (without the command's name), to pass on to the children.</summary>
    internal static List<string> ArgumentsOf(ParseResult parse) =>
        [.. parse.Tokens.Where(t => t.Type is TokenType.Option or TokenType.Argument).Select(t => t.Value)];

    /// <summary>The command line of the child that runs <paramref name="store"/> at one value size and repeat: the parent's own arguments follow.</summary>
    internal static IEnumerable<string> ChildArguments(string store, int valueSize, int repeat, string resultFile, IEnumerable<string> parentArguments) =>
        new[] { "engine", "--store", store, "--value-size", valueSize.ToString(CultureInfo.InvariantCulture),
            "--repeat-index", repeat.ToString(CultureInfo.InvariantCulture), "--result-file", resultFile }
        .Concat(parentArguments);

    private static async Task<int> RunAsync(EngineBenchOptions options, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var runDirectory = Path.Combine(options.OutDirectory, DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var raw = new List<WorkloadResult>();
        foreach (var valueSize in options.ValueSizes)
        {
            for (var repeat = 1; repeat <= options.Repeat; repeat++)
            {
                var stores = repeat % 2 == 1 ? options.Stores : options.Stores.Reverse().ToList();
                foreach (var store in stores)
                {
                    var resultFile = Path.Combine(runDirectory, "raw", $"{store}-{valueSize}-r{repeat}.json");
                    var exitCode = await ChildProcess.RunSelfAsync(ChildArguments(store, valueSize, repeat, resultFile, arguments), options.ServerGc, options.HeapLimitMb, cancellationToken).ConfigureAwait(false);
                    if (exitCode != 0)
                    {
                        Console.Error.WriteLine($"The {store} run (value {valueSize} B, repeat {repeat}) failed with exit code {exitCode}.");
                        return exitCode;
                    }

                    raw.AddRange(ResultFiles.ReadRows(resultFile));
                }
            }
        }

        var medians = Medians.Of(raw);
        var table = Describe(options) + ComparisonTable.Render(medians, options.Stores);
        Console.WriteLine();
        Console.Write(table);
        ResultFiles.WriteRun(runDirectory, options, raw, medians, table);
        Console.WriteLine($"\nResults: {Path.GetFullPath(runDirectory)}");
        return 0;
    }

    private static string Describe(EngineBenchOptions o) => string.Create(CultureInfo.InvariantCulture,
        $"{o.Keys:N0} keys ({KeyDisplay}-byte keys); {o.Reads:N0} reads; {o.Scans:N0} scans of {o.ScanLength}; {o.Threads} thread(s); " +
        $"{o.Distribution.ToString().ToLowerInvariant()} reads; durability {o.Settings.Durability.ToString().ToLowerInvariant()}; " +
        $"cache {o.Settings.CacheBytes >> 20} MiB; memtable {o.Settings.MemTableBytes >> 20} MiB; bloom {o.Settings.BloomBitsPerKey} bits/key; " +
        $"compression {o.Settings.Compression}; {(o.ServerGc ? "server" : "workstation")} GC{(o.HeapLimitMb is { } limit ? $" (heap limit {limit} MiB)" : "")}; median of {o.Repeat} run(s)\n\n");

    private const int KeyDisplay = KeyFormat.KeySize;
}
