// The grainkv commands: each takes parsed arguments and a connected client and returns an exit code.

using System.Text;
using GrainKV.Client;
using GrainKV.Versioning;

namespace GrainKV.Cli;

/// <summary>Exit codes of grainkv.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int NotFound = 1;
    public const int Usage = 2;
    public const int Rejected = 3;
    public const int Unavailable = 4;
    public const int Failed = 5;
}

/// <summary>Implementations of put, get and delete.</summary>
public static class Commands
{
    /// <summary>Checks the arguments of <paramref name="args"/>'s command before any connection is made.</summary>
    public static void CheckArity(CliArguments args)
    {
        var expected = args.Command switch
        {
            "put" when args.File is not null => 1,
            "put" => 2,
            "get" or "delete" => 1,
            "status" => 0,
            "node" when args.Positional is ["decommission" or "remove", ..] => 2,
            "node" => throw new UsageException("'node' takes 'decommission NODE' or 'remove NODE'."),
            "" => throw new UsageException("no command given."),
            _ => throw new UsageException($"unknown command '{args.Command}'."),
        };
        if (args.Positional.Count != expected)
        {
            throw new UsageException($"'{args.Command}' takes {expected} argument(s), got {args.Positional.Count}.");
        }
    }

    public static async Task<int> RunAsync(CliArguments args, GrainKvClient client, CancellationToken cancellationToken)
    {
        if (args.Command == "status" && args.Ranges)
        {
            Console.Write(RangeStatusReport.Format(await client.GetAntiEntropyStatusAsync(cancellationToken)));
            return ExitCodes.Ok;
        }

        if (args.Command == "status")
        {
            Console.Write(StatusReport.Format(await client.GetStatusAsync(cancellationToken)));
            return ExitCodes.Ok;
        }

        if (args.Command == "node")
        {
            var nodeId = args.Positional[1];
            if (args.Positional[0] == "decommission")
            {
                await client.DecommissionNodeAsync(nodeId, cancellationToken);
                Console.Error.WriteLine($"OK: node {nodeId} is leaving; its ranges stream to their new owners (grainkv status shows the transfers), then it leaves the ring");
            }
            else
            {
                await client.RemoveNodeAsync(nodeId, cancellationToken);
                Console.Error.WriteLine($"OK: node {nodeId} is being removed; its ranges are re-replicated from the surviving replicas (grainkv status shows the transfers)");
            }

            return ExitCodes.Ok;
        }

        var key = Encoding.UTF8.GetBytes(args.Positional[0]);
        switch (args.Command)
        {
            case "put":
                await client.PutAsync(key, await ReadValueAsync(args, cancellationToken), args.Context, WriteOptionsOf(args), cancellationToken);
                Console.Error.WriteLine("OK");
                return ExitCodes.Ok;
            case "delete":
                await client.DeleteAsync(key, args.Context, WriteOptionsOf(args), cancellationToken);
                Console.Error.WriteLine("OK");
                return ExitCodes.Ok;
            default:
                var result = await client.GetAsync(key, new ReadOptions { Replicas = args.Replicas, ReadQuorum = args.ReadQuorum, Consistency = args.Consistency, Mode = args.Mode }, cancellationToken);
                if (!result.Context.IsEmpty)
                {
                    Console.Error.WriteLine($"context: {result.Context}");
                }

                if (!result.Found)
                {
                    Console.Error.WriteLine($"(not found) {args.Positional[0]}");
                    return ExitCodes.NotFound;
                }

                if (result.HasSiblings)
                {
                    Console.Error.WriteLine($"siblings: {result.Values.Count} concurrent values; resolve with: grainkv put KEY VALUE --context <context>");
                }

                await WriteValuesAsync(args, result.Values, cancellationToken);
                return ExitCodes.Ok;
        }
    }

    private static async Task<byte[]> ReadValueAsync(CliArguments args, CancellationToken cancellationToken)
    {
        if (args.File is { } file)
        {
            return await File.ReadAllBytesAsync(file, cancellationToken);
        }

        if (args.Positional[1] == "-")
        {
            using var buffer = new MemoryStream();
            await using var stdin = Console.OpenStandardInput();
            await stdin.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }

        return Encoding.UTF8.GetBytes(args.Positional[1]);
    }

    private static WriteOptions WriteOptionsOf(CliArguments args) => new() { Replicas = args.Replicas, WriteQuorum = args.WriteQuorum, Consistency = args.Consistency, Mode = args.Mode };

    /// <summary>One value: its bytes exactly (plus a newline on a terminal). Siblings: one per line.</summary>
    private static async Task WriteValuesAsync(CliArguments args, IReadOnlyList<byte[]> values, CancellationToken cancellationToken)
    {
        if (args.Out is { } path)
        {
            await File.WriteAllBytesAsync(path, values[0], cancellationToken);
            for (var i = 1; i < values.Count; i++)
            {
                await File.WriteAllBytesAsync($"{path}.{i}", values[i], cancellationToken);
            }

            return;
        }

        await using var stdout = Console.OpenStandardOutput();
        for (var i = 0; i < values.Count; i++)
        {
            await stdout.WriteAsync(values[i], cancellationToken);
            if (values.Count > 1 || !Console.IsOutputRedirected)
            {
                await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
            }
        }
    }
}
