// grainkv node decommission NODE | node remove NODE: operator commands that change the ring.

using System.CommandLine;

namespace GrainKV.Cli.Commands;

/// <summary>The node command and its two subcommands.</summary>
public sealed class NodeCommand : Command
{
    public NodeCommand(CommandContext context)
        : base("node", "Take a node off the ring")
    {
        Decommission = Subcommand(
            context,
            "decommission",
            "Stream every range of the live NODE to the nodes taking it over, then take it off the ring",
            async (client, node, cancellationToken) =>
            {
                await client.DecommissionNodeAsync(node, cancellationToken);
                return $"OK: node {node} is leaving; its ranges stream to their new owners (grainkv status shows the transfers), then it leaves the ring";
            });
        Remove = Subcommand(
            context,
            "remove",
            "Take the dead NODE off the ring and re-replicate its ranges from the surviving replicas",
            async (client, node, cancellationToken) =>
            {
                await client.RemoveNodeAsync(node, cancellationToken);
                return $"OK: node {node} is being removed; its ranges are re-replicated from the surviving replicas (grainkv status shows the transfers)";
            });
        Subcommands.Add(Decommission);
        Subcommands.Add(Remove);
    }

    public Command Decommission { get; }

    public Command Remove { get; }

    /// <summary>The NODE argument of both subcommands.</summary>
    public Argument<string> Node { get; } = new("NODE") { Description = "The node's id (its silo name, as grainkv status lists it)" };

    private Command Subcommand(
        CommandContext context, string name, string description, Func<GrainKV.Client.GrainKvClient, string, CancellationToken, Task<string>> run)
    {
        var command = new Command(name, description) { Node };
        command.SetAction((parseResult, cancellationToken) =>
            context.WithClientAsync(parseResult, async client =>
            {
                await context.Console.Error.WriteLineAsync(await run(client, parseResult.GetRequiredValue(Node), cancellationToken));
                return ExitCodes.Ok;
            }, cancellationToken));
        return command;
    }
}
