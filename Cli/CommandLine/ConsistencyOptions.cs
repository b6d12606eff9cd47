// Per-request consistency on the command line: N (--n), R (--r), W (--w) or a named level (--consistency), the
// causal context of a write (--context) and the CAP mode (--mode). Each is declared once; the root command takes
// them before the command name (grainkv --r ALL get KEY) and the commands they apply to after it
// (grainkv get KEY --r ALL). A command refuses the ones that mean nothing to it.

using System.CommandLine;
using System.CommandLine.Parsing;
using GrainKV.Versioning;

namespace GrainKV.Cli.CommandLine;

/// <summary>The per-request options of put, get and delete.</summary>
public sealed class ConsistencyOptions
{
    public ConsistencyOptions()
    {
        All = [Replicas, ReadQuorum, WriteQuorum, Consistency, Context, Mode];
    }

    public Option<int?> Replicas { get; } = new("--n")
    {
        Description = "Replicas of the key (default: the cluster's)",
        HelpName = "N",
        CustomParser = result => OptionValues.Integer(result, minimum: 1, "a positive number"),
    };

    public Option<Acks?> ReadQuorum { get; } = new("--r")
    {
        Description = "Answers a read waits for",
        HelpName = "ONE|QUORUM|ALL|K",
        CustomParser = ParseAcks,
    };

    public Option<Acks?> WriteQuorum { get; } = new("--w")
    {
        Description = "Acknowledgements a write waits for",
        HelpName = "ONE|QUORUM|ALL|K",
        CustomParser = ParseAcks,
    };

    public Option<ConsistencyLevel?> Consistency { get; } = new("--consistency")
    {
        Description = "Instead of --r/--w: ONE, QUORUM, ALL, LOCAL_QUORUM (a majority of the key's replicas in the gateway's "
            + "datacenter) or EACH_QUORUM (a majority in each datacenter); the per-datacenter levels fail at once (exit code 4) "
            + "when a datacenter cannot make its majority",
        HelpName = "LEVEL",
        CustomParser = result => ConsistencyLevels.TryParse(OptionValues.Text(result), out var level)
            ? level
            : OptionValues.Error<ConsistencyLevel?>(result, $"takes ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM, not '{OptionValues.Text(result)}'."),
    };

    public Option<CausalContext?> Context { get; } = new("--context")
    {
        Description = "The context printed by get: the write replaces what that get saw",
        HelpName = "TOKEN",
        CustomParser = ParseContext,
    };

    public Option<CapMode?> Mode { get; } = new("--mode")
    {
        Description = "sloppy: nodes past the top N stand in for down replicas (available); strict: only the top N count, "
            + "fail at once otherwise (consistent)",
        HelpName = "sloppy|strict",
        CustomParser = result => OptionValues.Text(result).ToLowerInvariant() switch
        {
            "sloppy" => CapMode.Sloppy,
            "strict" => CapMode.Strict,
            var other => OptionValues.Error<CapMode?>(result, $"takes 'sloppy' or 'strict', not '{other}'."),
        },
    };

    /// <summary>Every per-request option.</summary>
    public IReadOnlyList<Option> All { get; }

    /// <summary>Adds the options of a read to <paramref name="command"/>.</summary>
    public void AddReadOptions(Command command) => Add(command, [Replicas, ReadQuorum, Consistency, Mode]);

    /// <summary>Adds the options of a write (or delete) to <paramref name="command"/>.</summary>
    public void AddWriteOptions(Command command) => Add(command, [Replicas, WriteQuorum, Consistency, Context, Mode]);

    /// <summary>Refuses, on <paramref name="command"/>, the per-request options given before the command name that it
    /// does not take (so `grainkv --r ALL status` is an error, not silently ignored).</summary>
    public void RefuseInapplicable(Command command) => command.Validators.Add(result =>
    {
        foreach (var option in All)
        {
            if (!command.Options.Contains(option) && result.GetResult(option) is not null)
            {
                result.AddError($"{option.Name} does not apply to '{command.Name}'.");
            }
        }
    });

    public ReadOptions ReadOptionsOf(ParseResult parseResult) => new()
    {
        Replicas = parseResult.GetValue(Replicas),
        ReadQuorum = parseResult.GetValue(ReadQuorum),
        Consistency = parseResult.GetValue(Consistency),
        Mode = parseResult.GetValue(Mode),
    };

    public WriteOptions WriteOptionsOf(ParseResult parseResult, TimeSpan? timeToLive = null) => new()
    {
        Replicas = parseResult.GetValue(Replicas),
        WriteQuorum = parseResult.GetValue(WriteQuorum),
        Consistency = parseResult.GetValue(Consistency),
        Mode = parseResult.GetValue(Mode),
        TimeToLive = timeToLive,
    };

    private void Add(Command command, Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        var quorum = options.Contains(ReadQuorum) ? ReadQuorum : WriteQuorum;
        command.Validators.Add(result =>
        {
            if (result.GetResult(Consistency) is not null && result.GetResult(quorum) is not null)
            {
                result.AddError("--consistency replaces --r and --w; give one or the other.");
            }
        });
        RefuseInapplicable(command);
    }

    private static Acks? ParseAcks(ArgumentResult result)
    {
        try
        {
            return Acks.Parse(OptionValues.Text(result));
        }
        catch (FormatException)
        {
            return OptionValues.Error<Acks?>(result, $"takes ONE, QUORUM, ALL or a positive number, not '{OptionValues.Text(result)}'.");
        }
    }

    private static CausalContext? ParseContext(ArgumentResult result)
    {
        try
        {
            return CausalContext.Parse(OptionValues.Text(result));
        }
        catch (FormatException)
        {
            return OptionValues.Error<CausalContext?>(result, $"takes a context printed by 'grainkv get'; '{OptionValues.Text(result)}' is not one.");
        }
    }
}
