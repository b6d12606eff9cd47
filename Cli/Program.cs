// grainkv: the command-line client of GrainKV. Errors are one readable line on standard error and a
// non-zero exit code (see ExitCodes), never a stack trace.

using GrainKV;
using GrainKV.Cli;
using GrainKV.Client;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

CliArguments parsed;
try
{
    parsed = CliArguments.Parse(args);
    if (parsed.Help)
    {
        Console.WriteLine(CliArguments.Usage);
        return ExitCodes.Ok;
    }

    Commands.CheckArity(parsed);
    parsed.Connection.Validate();
}
catch (Exception ex) when (ex is UsageException or ArgumentException)
{
    Console.Error.WriteLine($"grainkv: {ex.Message}");
    Console.Error.WriteLine(CliArguments.Usage);
    return ExitCodes.Usage;
}

try
{
    await using var client = await GrainKvClient.ConnectAsync(parsed.Connection, cancellation.Token);
    return await Commands.RunAsync(parsed, client, cancellation.Token);
}
catch (ClusterUnavailableException ex)
{
    Console.Error.WriteLine($"grainkv: {ex.Message}");
    return ExitCodes.Unavailable;
}
catch (NotEnoughReplicasException ex)
{
    Console.Error.WriteLine($"grainkv: {ex.Message}");
    return ExitCodes.Unavailable;
}
catch (Exception ex) when (ex is InvalidKeyException or ValueTooLargeException or InvalidRequestException or ContextMismatchException or MembershipChangeException)
{
    Console.Error.WriteLine($"grainkv: rejected: {ex.Message}");
    return ExitCodes.Rejected;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("grainkv: cancelled.");
    return ExitCodes.Failed;
}
catch (Exception ex)
{
    // Anything else (I/O, timeouts, the runtime): one line, never a stack trace.
    Console.Error.WriteLine($"grainkv: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
    return ExitCodes.Failed;
}
