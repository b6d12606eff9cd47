// `GrainKV.Bench engine --store <name> --value-size <bytes> [options]`: runs the workload suite against one
// store in this process and writes its rows to --result-file. engine-compare starts one of these per
// store, value size and repeat, so peak RSS and write bytes are each store's own.

using System.CommandLine;
using System.Globalization;
using GrainKV.Bench.Arguments;
using GrainKV.Bench.Engine.Reporting;
using GrainKV.Bench.Engine.Stores;
using GrainKV.Bench.Engine.Workloads;

namespace GrainKV.Bench.Engine;

internal static class EngineCommand
{
    public static Command Create()
    {
        var storeOption = BenchOption.Choice("--store", "grainkv", "the store to run", [.. StoreCatalog.Names]);
        var valueSizeOption = BenchOption.Int("--value-size", 1024, "value size in bytes");
        var repeatIndexOption = BenchOption.Int("--repeat-index", 1, "which repeat this run is (engine-compare sets it)");
        var resultFileOption = BenchOption.Text("--result-file", "", "where to write this run's rows [<out>/<store>-<value size>-<time>.json]");
        var shared = new EngineBenchArguments();
        var command = new Command("engine", "one store, in this process (what engine-compare runs as its children)")
        {
            storeOption, valueSizeOption, repeatIndexOption, resultFileOption,
        };
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(storeOption), parse.GetValue(valueSizeOption), parse.GetValue(repeatIndexOption),
            parse.GetRequiredValue(resultFileOption), shared.Bind(parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        string store, int valueSize, int repeat, string resultFile, EngineBenchOptions options, CancellationToken cancellationToken)
    {
        var factory = StoreCatalog.Create(store);
        Console.WriteLine($"[{store}] value {valueSize} B, {options.Keys:N0} keys, {options.Threads} thread(s), {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC (may hold {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 20:N0} MiB), repeat {repeat}");
        var suite = new EngineSuite(options with { ValueSizes = [valueSize] }, factory, valueSize, repeat);
        var rows = await suite.RunAsync(Print, cancellationToken).ConfigureAwait(false);
        if (resultFile.Length == 0)
        {
            Console.WriteLine();
            Console.Write(ComparisonTable.Render(rows, [store]));
            resultFile = Path.Combine(options.OutDirectory, $"{store}-{valueSize}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        }

        ResultFiles.WriteRows(resultFile, rows);
        return 0;
    }

    private static void Print(WorkloadResult r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{r.Store}] {r.Workload,-16} {r.OpsPerSecond,12:N0} ops/s  p50 {r.P50Micros,8:N1} µs  p99 {r.P99Micros,8:N1} µs  " +
            $"p99.9 {r.P999Micros,8:N1} µs  {r.Seconds,6:N2} s  disk {r.DiskBytes / 1048576.0,7:N1} MiB  RSS {r.PeakRssBytes / 1048576.0,6:N0} MiB"));
}
