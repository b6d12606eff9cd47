// grainkv: the command-line client of GrainKV (see GrainKvCli; the commands and options are declared in
// CommandLine/GrainKvCommandLine.cs and Commands/).

using GrainKV.Cli;
using GrainKV.Client;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await GrainKvCli.RunAsync(args, CliConsole.FromProcess(), GrainKvClient.ConnectAsync, Environment.GetEnvironmentVariable, cancellation.Token);
