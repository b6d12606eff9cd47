// The grainkv command line, declared once: the root command with the connection options (any position) and
// the per-request options (before the command name), and the commands put, get, delete, status and node. The
// help text (grainkv --help, grainkv put --help) is generated from the descriptions declared here and beside
// each option.

using System.CommandLine;
using GrainKV.Cli.Commands;

namespace GrainKV.Cli.CommandLine;

/// <summary>grainkv's commands and options.</summary>
public sealed class GrainKvCommandLine
{
    /// <summary>Values are arbitrary: no response files (@file), no bundling of single-letter options (-abc).</summary>
    public static ParserConfiguration ParserConfiguration { get; } = new()
    {
        ResponseFileTokenReplacer = null,
        EnablePosixBundling = false,
    };

    public GrainKvCommandLine(CliConsole console, ClientConnector connect, Func<string, string?> environment)
    {
        Connection = new ConnectionOptions(environment);
        var context = new CommandContext(console, Connection, connect);
        Put = new PutCommand(Consistency, context);
        Get = new GetCommand(Consistency, context);
        Delete = new DeleteCommand(Consistency, context);
        Status = new StatusCommand(context);
        Node = new NodeCommand(context);
        Consistency.RefuseInapplicable(Status);
        Consistency.RefuseInapplicable(Node.Decommission);
        Consistency.RefuseInapplicable(Node.Remove);

        Root = new RootCommand(
            "grainkv: the command-line client of GrainKV, a Dynamo-style replicated key-value store. Exit codes: 0 success, "
            + "1 key not found, 2 usage error, 3 rejected input, 4 cluster unreachable or not enough replicas, 5 other failure.");
        foreach (var option in Connection.All)
        {
            Root.Options.Add(option);
        }

        foreach (var option in Consistency.All)
        {
            Root.Options.Add(option);
        }

        Root.Subcommands.Add(Put);
        Root.Subcommands.Add(Get);
        Root.Subcommands.Add(Delete);
        Root.Subcommands.Add(Status);
        Root.Subcommands.Add(Node);
    }

    public RootCommand Root { get; }

    public ConnectionOptions Connection { get; }

    public ConsistencyOptions Consistency { get; } = new();

    public PutCommand Put { get; }

    public GetCommand Get { get; }

    public DeleteCommand Delete { get; }

    public StatusCommand Status { get; }

    public NodeCommand Node { get; }

    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args, ParserConfiguration);
}
