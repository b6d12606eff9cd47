// grainkv delete KEY [--context TOKEN] [consistency]

using System.CommandLine;
using System.Text;
using GrainKV.Cli.CommandLine;
using GrainKV.Versioning;

namespace GrainKV.Cli.Commands;

/// <summary>A parsed delete.</summary>
public sealed record DeleteRequest(string Key, CausalContext? Context, WriteOptions Options);

/// <summary>The delete command.</summary>
public sealed class DeleteCommand : Command
{
    private readonly ConsistencyOptions _consistency;

    public DeleteCommand(ConsistencyOptions consistency, CommandContext context)
        : base("delete", "Delete KEY")
    {
        _consistency = consistency;
        Arguments.Add(Key);
        consistency.AddWriteOptions(this);
        SetAction((parseResult, cancellationToken) =>
            context.WithClientAsync(parseResult, async client =>
            {
                var request = Bind(parseResult);
                await client.DeleteAsync(Encoding.UTF8.GetBytes(request.Key), request.Context, request.Options, cancellationToken);
                await context.Console.Error.WriteLineAsync("OK");
                return ExitCodes.Ok;
            }, cancellationToken));
    }

    public Argument<string> Key { get; } = new("KEY") { Description = "The key" };

    public DeleteRequest Bind(ParseResult parseResult) =>
        new(parseResult.GetRequiredValue(Key), parseResult.GetValue(_consistency.Context), _consistency.WriteOptionsOf(parseResult));
}
