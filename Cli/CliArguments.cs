// Parsing of the grainkv command line: global connection options, a command and its arguments.

using GrainKV.Client;
using GrainKV.Versioning;

namespace GrainKV.Cli;

/// <summary>A command line that could not be understood; printed with the usage text.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The parsed command line.</summary>
public sealed class CliArguments
{
    public const string Usage = """
        usage: grainkv [options] <command> [args]

        commands:
          put KEY VALUE          store VALUE under KEY
          put KEY --file PATH    store the bytes of PATH under KEY
          put KEY -              store standard input under KEY
          get KEY [--out PATH]   print the value of KEY (exit code 1 when absent); concurrent values
                                 (siblings) are printed one per line; the causal context goes to stderr
          delete KEY             delete KEY
          status                 nodes, liveness and each node's share of the ring
          node decommission NODE stream every range of the live NODE to the nodes taking it over, then take it off the ring
          node remove NODE       take the dead NODE off the ring and re-replicate its ranges from the surviving replicas
          status --ranges        anti-entropy: keys per node, per range the last exchange, keys repaired, bytes moved

        consistency (per request):
          --n N                  replicas of the key (default: the cluster's)
          --r ONE|QUORUM|ALL|K   answers a read waits for
          --w ONE|QUORUM|ALL|K   acknowledgements a write waits for
          --consistency LEVEL    instead of --r/--w: ONE, QUORUM, ALL, LOCAL_QUORUM (a majority of the key's
                                 replicas in the gateway's datacenter) or EACH_QUORUM (a majority in each
                                 datacenter); the per-datacenter levels fail at once (exit code 4) when a
                                 datacenter cannot make its majority
          --context TOKEN        for put/delete: the context printed by get; the write replaces what that get saw
          --mode sloppy|strict   sloppy: nodes past the top N stand in for down replicas (available);
                                 strict: only the top N count, fail at once otherwise (consistent)

        options:
          --gateway HOST:PORT    a gateway of the cluster (repeatable; default $GRAINKV_GATEWAY or localhost:30000)
          --cluster-id ID        Orleans cluster id (default grainkv)
          --service-id ID        Orleans service id (default grainkv)
          --max-entry-size N     largest key + value sent, in bytes (default 10240)
          -h, --help             show this text
        """;

    public GrainKvClientOptions Connection { get; } = new();

    public string Command { get; private set; } = "";

    public List<string> Positional { get; } = [];

    public string? File { get; private set; }

    public string? Out { get; private set; }

    public int? Replicas { get; private set; }

    public Acks? ReadQuorum { get; private set; }

    public Acks? WriteQuorum { get; private set; }

    public CausalContext? Context { get; private set; }

    /// <summary>A named consistency level for reads and writes (instead of --r and --w).</summary>
    public ConsistencyLevel? Consistency { get; private set; }

    public CapMode? Mode { get; private set; }

    public bool Help { get; private set; }

    /// <summary>status: show anti-entropy per node and range.</summary>
    public bool Ranges { get; private set; }

    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var result = new CliArguments();
        var gateways = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--ranges":
                    result.Ranges = true;
                    break;
                case "-h" or "--help":
                    result.Help = true;
                    break;
                case "--gateway":
                    gateways.Add(Value(args, ref i));
                    break;
                case "--cluster-id":
                    result.Connection.ClusterId = Value(args, ref i);
                    break;
                case "--service-id":
                    result.Connection.ServiceId = Value(args, ref i);
                    break;
                case "--max-entry-size":
                    result.Connection.MaxEntrySize = int.TryParse(Value(args, ref i), out var size) && size > 1
                        ? size
                        : throw new UsageException("--max-entry-size takes a number of bytes greater than 1.");
                    break;
                case "--file":
                    result.File = Value(args, ref i);
                    break;
                case "--out":
                    result.Out = Value(args, ref i);
                    break;
                case "--n":
                    result.Replicas = int.TryParse(Value(args, ref i), out var n) && n > 0
                        ? n
                        : throw new UsageException("--n takes a positive number.");
                    break;
                case "--r":
                    result.ReadQuorum = ParseAcks(Value(args, ref i));
                    break;
                case "--w":
                    result.WriteQuorum = ParseAcks(Value(args, ref i));
                    break;
                case "--consistency":
                    var level = Value(args, ref i);
                    result.Consistency = ConsistencyLevels.TryParse(level, out var parsedLevel)
                        ? parsedLevel
                        : throw new UsageException($"--consistency takes ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM, not '{level}'.");
                    break;
                case "--context":
                    result.Context = ParseContext(Value(args, ref i));
                    break;
                case "--mode":
                    result.Mode = Value(args, ref i).ToLowerInvariant() switch
                    {
                        "sloppy" => CapMode.Sloppy,
                        "strict" => CapMode.Strict,
                        var other => throw new UsageException($"--mode takes 'sloppy' or 'strict', not '{other}'."),
                    };
                    break;
                case "--":
                    result.Positional.AddRange(args.Skip(i + 1));
                    i = args.Count;
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new UsageException($"unknown option '{arg}'.");
                    }

                    result.Positional.Add(arg);
                    break;
            }
        }

        if (result.Consistency is not null && (result.ReadQuorum is not null || result.WriteQuorum is not null))
        {
            throw new UsageException("--consistency replaces --r and --w; give one or the other.");
        }

        if (gateways.Count == 0 && Environment.GetEnvironmentVariable("GRAINKV_GATEWAY") is { Length: > 0 } fromEnvironment)
        {
            gateways.AddRange(fromEnvironment.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (gateways.Count > 0)
        {
            result.Connection.Gateways = gateways;
        }

        if (result.Positional.Count > 0)
        {
            result.Command = result.Positional[0];
            result.Positional.RemoveAt(0);
        }

        return result;
    }

    private static Acks ParseAcks(string text)
    {
        try
        {
            return Acks.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static CausalContext ParseContext(string text)
    {
        try
        {
            return CausalContext.Parse(text);
        }
        catch (FormatException)
        {
            throw new UsageException($"'{text}' is not a context printed by 'grainkv get'.");
        }
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new UsageException($"option '{args[i - 1]}' needs a value.");
}
