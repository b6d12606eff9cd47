// GrainKV.Bench: the project's benchmark program. Dispatches to a command:
//   engine-compare  GrainKV's storage engine vs RocksDB, each store in its own child process, side by side
//   engine          one store, in this process (what engine-compare runs as its children)
//   cluster         YCSB-style workloads against a 3-silo GrainKV cluster and Redis, side by side
//   repair          anti-entropy repair of a diverged range against a full copy (3 in-process silos)
//   kill            SIGKILL of each of 3 silos (Redis membership) in turn under load: throughput, detection, hints
//   bootstrap       a 4th silo joining a loaded cluster under load: transfer rate, foreground p99 before/during
// See docs/BENCHMARKS.md for options, method and recorded results.

using GrainKV.Bench.AntiEntropy;
using GrainKV.Bench.Cluster;
using GrainKV.Bench.Common;
using GrainKV.Bench.Engine;
using GrainKV.Bench.Streaming;

// As in the silo host: socket completions run inline instead of being queued to the thread pool first. This
// is the driver's side, so it applies alike to every target's client (Orleans and StackExchange.Redis). It
// must be set before the first socket is created; an explicit setting in the environment wins.
const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(EngineBenchOptions.Help + "\n\n" + ClusterBenchOptions.Help + "\n\n" + KillCommand.Help + "\n\n" + RepairCommand.Help + "\n\n" + BootstrapCommand.Help);
    return args.Length == 0 ? 1 : 0;
}

try
{
    var options = new ArgumentReader(args.Skip(1));
    return args[0] switch
    {
        "engine-compare" => await EngineCompareCommand.RunAsync(options, cancellation.Token),
        "engine" => await EngineCommand.RunAsync(options, cancellation.Token),
        "cluster" => await ClusterCommand.RunAsync(options, cancellation.Token),
        "kill" => await KillCommand.RunAsync(options, cancellation.Token),
        "repair" => await RepairCommand.RunAsync(options, cancellation.Token),
        "bootstrap" => await BootstrapCommand.RunAsync(options, cancellation.Token),
        _ => throw new ArgumentException($"Unknown command '{args[0]}'."),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}
