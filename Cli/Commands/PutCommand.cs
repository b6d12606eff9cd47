// grainkv put KEY VALUE | put KEY - | put KEY --file PATH [--ttl DURATION] [--context TOKEN | --overwrite] [consistency]

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using GrainKV.Cli.CommandLine;
using GrainKV.Versioning;

namespace GrainKV.Cli.Commands;

/// <summary>A parsed put: the key, where the value comes from, and the write's context (or overwrite) and options.</summary>
public sealed record PutRequest(string Key, string? Value, string? File, CausalContext? Context, WriteOptions Options, bool Overwrite = false)
{
    /// <summary>The value is read from standard input (VALUE is '-').</summary>
    public bool FromStandardInput => File is null && Value == "-";
}

/// <summary>The put command.</summary>
public sealed class PutCommand : Command
{
    private readonly ConsistencyOptions _consistency;

    public PutCommand(ConsistencyOptions consistency, CommandContext context)
        : base("put", "Store VALUE, standard input ('-') or the bytes of --file PATH under KEY")
    {
        _consistency = consistency;
        Arguments.Add(Key);
        Arguments.Add(Value);
        Options.Add(File);
        Options.Add(TimeToLive);
        Options.Add(Overwrite);
        consistency.AddWriteOptions(this);
        Validators.Add(result =>
        {
            if (result.GetResult(Key) is not { Tokens.Count: > 0 })
            {
                return;   // "Required argument missing" says it
            }

            var hasValue = result.GetResult(Value) is { Tokens.Count: > 0 };
            var hasFile = result.GetResult(File) is not null;
            if (hasValue == hasFile)
            {
                result.AddError(hasFile ? "put takes VALUE or --file PATH, not both." : "put needs VALUE, '-' (standard input) or --file PATH.");
            }

            if (result.GetResult(Overwrite) is not null && result.GetResult(consistency.Context) is not null)
            {
                result.AddError("--overwrite supersedes what a read finds and takes no --context.");
            }
        });
        SetAction((parseResult, cancellationToken) =>
            context.WithClientAsync(parseResult, async client =>
            {
                var request = Bind(parseResult);
                var value = await ReadValueAsync(request, context.Console, cancellationToken);
                var key = Encoding.UTF8.GetBytes(request.Key);
                if (request.Overwrite)
                {
                    // The read that finds what to supersede runs at the write's replicas and consistency level.
                    var read = new ReadOptions { Replicas = request.Options.Replicas, Consistency = request.Options.Consistency, Mode = request.Options.Mode };
                    await client.OverwriteAsync(key, value, read, request.Options, cancellationToken);
                }
                else
                {
                    await client.PutAsync(key, value, request.Context, request.Options, cancellationToken);
                }

                await context.Console.Error.WriteLineAsync("OK");
                return ExitCodes.Ok;
            }, cancellationToken));
    }

    public Argument<string> Key { get; } = new("KEY") { Description = "The key (1 to 1024 bytes of UTF-8)" };

    public Argument<string?> Value { get; } = new("VALUE")
    {
        Description = "The value; '-' reads it from standard input (after '--', a value may start with '-')",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> File { get; } = new("--file")
    {
        Description = "Store the bytes of PATH instead of VALUE",
        HelpName = "PATH",
    };

    public Option<bool> Overwrite { get; } = new("--overwrite")
    {
        Description = "Replace every value a read of the key finds now (a blind write, like a Redis SET) instead of keeping a value written without a context beside it as a sibling",
    };

    public Option<TimeSpan?> TimeToLive { get; } = new("--ttl")
    {
        Description = "The value expires after DURATION (units ms, s, m, h, d; a bare number is seconds); it then reads as absent",
        HelpName = "DURATION",
        CustomParser = result => DurationText.TryParse(OptionValues.Text(result), "--ttl", out var duration, out var error)
            ? duration
            : ReportError(result, error),
    };

    public PutRequest Bind(ParseResult parseResult) => new(
        parseResult.GetRequiredValue(Key),
        parseResult.GetValue(Value),
        parseResult.GetValue(File),
        parseResult.GetValue(_consistency.Context),
        _consistency.WriteOptionsOf(parseResult, parseResult.GetValue(TimeToLive)),
        parseResult.GetValue(Overwrite));

    private static TimeSpan? ReportError(ArgumentResult result, string error)
    {
        result.AddError(error);
        return null;
    }

    private static async Task<byte[]> ReadValueAsync(PutRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        if (request.File is { } file)
        {
            return await System.IO.File.ReadAllBytesAsync(file, cancellationToken);
        }

        if (request.FromStandardInput)
        {
            using var buffer = new MemoryStream();
            await using var stdin = console.OpenInput();
            await stdin.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }

        return Encoding.UTF8.GetBytes(request.Value!);
    }
}
