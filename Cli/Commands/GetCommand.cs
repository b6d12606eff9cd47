// grainkv get KEY [--out PATH] [consistency]: the value's bytes on standard output (siblings one per line, or
// PATH, PATH.1, ... with --out); the causal context, expiry times and the sibling count on standard error.

using System.CommandLine;
using System.Text;
using GrainKV.Cli.CommandLine;

namespace GrainKV.Cli.Commands;

/// <summary>A parsed get.</summary>
public sealed record GetRequest(string Key, string? Out, ReadOptions Options);

/// <summary>The get command.</summary>
public sealed class GetCommand : Command
{
    private readonly ConsistencyOptions _consistency;

    public GetCommand(ConsistencyOptions consistency, CommandContext context)
        : base("get", "Print the value of KEY (exit code 1 when absent); concurrent values (siblings) are printed one per "
            + "line; the causal context (and the expiry of a value that expires) go to standard error")
    {
        _consistency = consistency;
        Arguments.Add(Key);
        Options.Add(Out);
        consistency.AddReadOptions(this);
        SetAction((parseResult, cancellationToken) =>
            context.WithClientAsync(parseResult, client => RunAsync(Bind(parseResult), client, context.Console, cancellationToken), cancellationToken));
    }

    public Argument<string> Key { get; } = new("KEY") { Description = "The key" };

    public Option<string?> Out { get; } = new("--out")
    {
        Description = "Write the value to PATH (siblings to PATH.1, PATH.2, ...) instead of standard output",
        HelpName = "PATH",
    };

    public GetRequest Bind(ParseResult parseResult) =>
        new(parseResult.GetRequiredValue(Key), parseResult.GetValue(Out), _consistency.ReadOptionsOf(parseResult));

    private static async Task<int> RunAsync(GetRequest request, GrainKV.Client.GrainKvClient client, CliConsole console, CancellationToken cancellationToken)
    {
        var result = await client.GetAsync(Encoding.UTF8.GetBytes(request.Key), request.Options, cancellationToken);
        if (!result.Context.IsEmpty)
        {
            await console.Error.WriteLineAsync($"context: {result.Context}");
        }

        if (!result.Found)
        {
            await console.Error.WriteLineAsync($"(not found) {request.Key}");
            return ExitCodes.NotFound;
        }

        for (var i = 0; i < result.Values.Count; i++)
        {
            if (result.ExpirationOf(i) is { } expires)
            {
                await console.Error.WriteLineAsync(result.HasSiblings ? $"expires: {expires:O} (value {i + 1})" : $"expires: {expires:O}");
            }
        }

        if (result.HasSiblings)
        {
            await console.Error.WriteLineAsync($"siblings: {result.Values.Count} concurrent values; resolve with: grainkv put KEY VALUE --context <context>, or replace them with: grainkv put KEY VALUE --overwrite");
        }

        await WriteValuesAsync(request, result.Values, console, cancellationToken);
        return ExitCodes.Ok;
    }

    /// <summary>One value: its bytes exactly (plus a newline on a terminal). Siblings: one per line.</summary>
    private static async Task WriteValuesAsync(GetRequest request, IReadOnlyList<byte[]> values, CliConsole console, CancellationToken cancellationToken)
    {
        if (request.Out is { } path)
        {
            await File.WriteAllBytesAsync(path, values[0], cancellationToken);
            for (var i = 1; i < values.Count; i++)
            {
                await File.WriteAllBytesAsync($"{path}.{i}", values[i], cancellationToken);
            }

            return;
        }

        await using var stdout = console.OpenOutput();
        for (var i = 0; i < values.Count; i++)
        {
            await stdout.WriteAsync(values[i], cancellationToken);
            if (values.Count > 1 || console.OutputIsTerminal)
            {
                await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
            }
        }
    }
}
