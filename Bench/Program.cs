// GrainKV.Bench: the project's benchmark program. Dispatches to a command:
//   engine-compare  GrainKV's storage engine vs RocksDB, each store in its own child process, side by side
//   engine          one store, in this process (what engine-compare runs as its children)
//   cluster         YCSB-style workloads against a 3-silo GrainKV cluster and Redis, side by side
//   repair          anti-entropy repair of a diverged range against a full copy (3 in-process silos)
//   kill            SIGKILL of each of 3 silos (Redis membership) in turn under load: throughput, detection, hints
//   bootstrap       a 4th silo joining a loaded cluster under load: transfer rate, foreground p99 before/during
// Options are declared per command (Arguments/BenchCommandLine.cs); `--help` lists them. See docs/BENCHMARKS.md
// for method and recorded results.

using System.CommandLine;
using GrainKV.Bench.Arguments;

// As in the silo host: socket completions run inline instead of being queued to the thread pool first. This
// is the driver's side, so it applies alike to every target's client (Orleans and StackExchange.Redis). It
// must be set before the first socket is created; an explicit setting in the environment wins.
const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
}

// Ctrl+C cancels the run and waits for it to clean up (servers it started are killed on the way out), with no
// time limit: a benchmark that returned early would leave its silos and Redis servers running.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var parse = BenchCommandLine.Create().Parse(args);
try
{
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancellation.Token);
}
catch (Exception ex) when (ex is ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
