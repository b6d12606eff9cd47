// grainkv status [--ranges]: the nodes on the ring (or, with --ranges, anti-entropy per node and range) as tables.

using System.CommandLine;
using GrainKV.Cli.Status;

namespace GrainKV.Cli.Commands;

/// <summary>The status command.</summary>
public sealed class StatusCommand : Command
{
    public StatusCommand(CommandContext context)
        : base("status", "Nodes on the ring: address, datacenter, ring state, liveness, share of the ring, range transfers")
    {
        Options.Add(Ranges);
        SetAction((parseResult, cancellationToken) =>
            context.WithClientAsync(parseResult, async client =>
            {
                if (parseResult.GetValue(Ranges))
                {
                    RangeStatusReport.Write(context.Console.Tables, await client.GetAntiEntropyStatusAsync(cancellationToken));
                }
                else
                {
                    StatusReport.Write(context.Console.Tables, await client.GetStatusAsync(cancellationToken));
                }

                return ExitCodes.Ok;
            }, cancellationToken));
    }

    public Option<bool> Ranges { get; } = new("--ranges")
    {
        Description = "Anti-entropy instead: keys per node, per range the last exchange, keys repaired, bytes moved",
    };
}
