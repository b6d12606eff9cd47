// What every command's action needs besides its own arguments: the console it writes to, the connection
// options, and the way to connect (a real cluster in the program, something else in tests).

using System.CommandLine;
using GrainKV.Cli.CommandLine;
using GrainKV.Client;

namespace GrainKV.Cli.Commands;

/// <summary>Connects to a cluster with the given options.</summary>
public delegate Task<GrainKvClient> ClientConnector(GrainKvClientOptions options, CancellationToken cancellationToken);

/// <summary>The console, the connection options and the connector shared by the commands.</summary>
public sealed class CommandContext(CliConsole console, ConnectionOptions connection, ClientConnector connect)
{
    public CliConsole Console => console;

    public ConnectionOptions Connection => connection;

    /// <summary>Validates the connection options (a <see cref="UsageException"/> before any connection when they are
    /// bad), connects, runs <paramref name="run"/> and disconnects.</summary>
    public async Task<int> WithClientAsync(ParseResult parseResult, Func<GrainKvClient, Task<int>> run, CancellationToken cancellationToken)
    {
        var options = connection.Bind(parseResult);
        await using var client = await connect(options, cancellationToken);
        return await run(client);
    }
}
