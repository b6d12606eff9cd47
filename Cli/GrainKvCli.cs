// Runs one grainkv command line: parses it, runs the command, and turns every outcome into an exit code (see
// ExitCodes) with at most one readable line on standard error, never a stack trace.

using System.CommandLine;
using GrainKV.Cli.CommandLine;
using GrainKV.Cli.Commands;
using GrainKV.Client;
using GrainKV.Security;

namespace GrainKV.Cli;

/// <summary>grainkv's entry point, callable in-process.</summary>
public static class GrainKvCli
{
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, CliConsole console, ClientConnector connect, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var commandLine = new GrainKvCommandLine(console, connect, environment);
        var parseResult = commandLine.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            return await UsageErrorAsync(console, string.Join(" ", parseResult.Errors.Select(e => e.Message).Distinct()), parseResult.CommandResult.Command);
        }

        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = console.Output,
                    Error = console.Error,
                    EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (UsageException ex)
        {
            return await UsageErrorAsync(console, ex.Message, parseResult.CommandResult.Command);
        }
        catch (TlsConfigurationException ex)
        {
            return await FailAsync(console, ex.Message, ExitCodes.Usage);
        }
        catch (Exception ex) when (ex is ClusterUnavailableException or NotEnoughReplicasException)
        {
            return await FailAsync(console, ex.Message, ExitCodes.Unavailable);
        }
        catch (Exception ex) when (ex is InvalidKeyException or ValueTooLargeException or InvalidRequestException or ContextMismatchException or MembershipChangeException)
        {
            return await FailAsync(console, $"rejected: {ex.Message}", ExitCodes.Rejected);
        }
        catch (OperationCanceledException)
        {
            return await FailAsync(console, "cancelled.", ExitCodes.Failed);
        }
        catch (Exception ex)
        {
            // Anything else (I/O, timeouts, the runtime): one line, never a stack trace.
            return await FailAsync(console, $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}", ExitCodes.Failed);
        }
    }

    private static Task<int> UsageErrorAsync(CliConsole console, string message, Command command)
    {
        var help = command is RootCommand ? "grainkv --help" : $"grainkv {CommandPath(command)} --help";
        return FailAsync(console, $"{message} (see '{help}')", ExitCodes.Usage);
    }

    private static async Task<int> FailAsync(CliConsole console, string message, int exitCode)
    {
        await console.Error.WriteLineAsync($"grainkv: {message}");
        return exitCode;
    }

    private static string CommandPath(Command command) =>
        command.Parents.OfType<Command>().FirstOrDefault() is { } parent and not RootCommand ? $"{CommandPath(parent)} {command.Name}" : command.Name;
}
