// grainkv run in-process: generated help, usage errors (exit code 2, one line on standard error, no connection
// attempted) and the exit codes of failures.

extern alias grainkv;

using System.CommandLine;
using grainkv::GrainKV.Cli;

namespace GrainKV.Tests.CliTool;

public sealed class GrainKvCliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task HelpListsEveryCommandAndEveryOption(string help)
    {
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync(help));
        foreach (var command in cli.CommandLine.Root.Subcommands)
        {
            Assert.Contains($"  {command.Name}", cli.Output, StringComparison.Ordinal);
        }

        foreach (var option in cli.CommandLine.Root.Options)
        {
            Assert.Contains(option.Name, cli.Output, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(option.Description), option.Name);
        }

        Assert.Empty(cli.Error);
        Assert.Empty(cli.Connections);
    }

    [Fact]
    public async Task EachCommandsHelpListsItsArgumentsAndOptions()
    {
        foreach (var (command, path) in Leaves(new CliHarness().CommandLine.Root, []))
        {
            var cli = new CliHarness();
            Assert.Equal(ExitCodes.Ok, await cli.RunAsync([.. path, "--help"]));
            var usage = cli.Output.Split('\n').SkipWhile(l => l != "Usage:").Skip(1).First();
            Assert.Contains($" {string.Join(' ', path)} ", usage, StringComparison.Ordinal);
            Assert.Contains(command.Description!, cli.Output, StringComparison.Ordinal);
            foreach (var argument in command.Arguments)
            {
                Assert.Contains($"<{argument.Name}>", cli.Output, StringComparison.Ordinal);
            }

            foreach (var option in command.Options.Concat(cli.CommandLine.Connection.All))
            {
                Assert.Contains(option.Name, cli.Output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task PutHelpShowsItsOptionsAndNotTheReadOnes()
    {
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("put", "--help"));
        foreach (var option in new[] { "--file", "--ttl", "--overwrite", "--n", "--w", "--consistency", "--context", "--mode", "--gateway", "--tls-dir" })
        {
            Assert.Contains(option, cli.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("--r ", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--out", cli.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Required command was not provided")]
    [InlineData("Unrecognized command or argument 'bogus'", "bogus")]
    [InlineData("Unrecognized command or argument '--bogus'", "put", "k", "v", "--bogus")]
    [InlineData("Unrecognized command or argument '--bogus'", "--bogus", "status")]
    [InlineData("put needs VALUE", "put", "k")]
    [InlineData("Required argument missing", "put")]
    [InlineData("Required argument missing", "get")]
    [InlineData("Unrecognized command or argument 'extra'", "get", "k", "extra")]
    [InlineData("Required command was not provided", "node")]
    [InlineData("Unrecognized command or argument 'n3'", "node", "n3")]
    [InlineData("Required argument missing", "node", "remove")]
    [InlineData("put takes VALUE or --file PATH, not both", "put", "k", "v", "--file", "f")]
    [InlineData("--ttl takes a positive duration", "put", "k", "v", "--ttl", "0s")]
    [InlineData("--ttl takes a positive duration", "put", "k", "v", "--ttl", "soon")]
    [InlineData("--ttl takes a positive duration", "put", "k", "v", "--ttl", "-5s")]
    [InlineData("--ttl takes a positive duration", "put", "k", "v", "--ttl", "40000d")]
    [InlineData("Required argument missing for option: '--ttl'", "put", "k", "v", "--ttl")]
    [InlineData("Unrecognized command or argument '--ttl'", "delete", "k", "--ttl", "5s")]
    [InlineData("--r takes ONE, QUORUM, ALL or a positive number, not 'most'", "get", "k", "--r", "most")]
    [InlineData("--r takes ONE, QUORUM, ALL or a positive number, not '0'", "--r", "0", "get", "k")]
    [InlineData("--w takes ONE, QUORUM, ALL or a positive number, not '-1'", "put", "k", "v", "--w", "-1")]
    [InlineData("--n takes a positive number, not '0'", "get", "k", "--n", "0")]
    [InlineData("--consistency takes ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM, not 'MOST'", "--consistency", "MOST", "get", "k")]
    [InlineData("--consistency replaces --r and --w", "--consistency", "ALL", "--r", "ONE", "get", "k")]
    [InlineData("--consistency replaces --r and --w", "put", "k", "v", "--consistency", "ALL", "--w", "ONE")]
    [InlineData("--mode takes 'sloppy' or 'strict', not 'loose'", "get", "k", "--mode", "loose")]
    [InlineData("--context takes a context printed by 'grainkv get'; '***' is not one", "put", "k", "x", "--context", "***")]
    [InlineData("--overwrite supersedes what a read finds and takes no --context", "put", "k", "v", "--overwrite", "--context", "")]
    [InlineData("Unrecognized command or argument '--overwrite'", "get", "k", "--overwrite")]
    [InlineData("--r does not apply to 'put'", "--r", "ONE", "put", "k", "v")]
    [InlineData("--w does not apply to 'get'", "--w", "ONE", "get", "k")]
    [InlineData("--n does not apply to 'status'", "--n", "3", "status")]
    [InlineData("--context does not apply to 'get'", "--context", "", "get", "k")]
    [InlineData("--max-entry-size takes a number of bytes greater than 1, not '1'", "--max-entry-size", "1", "status")]
    [InlineData("Option '--r' expects a single argument but 2 were provided", "--r", "ONE", "get", "k", "--r", "ALL")]
    [InlineData("is not of the form host:port", "--gateway", "nohost", "get", "k")]
    public async Task BadInputIsAUsageErrorInOneLineWithoutConnecting(string expected, params string[] args)
    {
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Usage, await cli.RunAsync(args));
        var line = Assert.Single(cli.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("grainkv: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error, StringComparison.Ordinal);
        Assert.Empty(cli.Output);
        Assert.Empty(cli.Connections);
    }

    public static TheoryData<Exception, int> Failures => new()
    {
        { new ClusterUnavailableException("no gateway answered", new IOException("refused")), ExitCodes.Unavailable },
        { new NotEnoughReplicasException(2, 1, "one replica answered"), ExitCodes.Unavailable },
        { new ValueTooLargeException("too large", 20_000, 10_240), ExitCodes.Rejected },
        { new InvalidRequestException("bad request"), ExitCodes.Rejected },
        { new GrainKV.Security.TlsConfigurationException("no such certificate"), ExitCodes.Usage },
        { new OperationCanceledException(), ExitCodes.Failed },
        { new TimeoutException("slow\n   at somewhere"), ExitCodes.Failed },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task FailuresHaveTheirExitCodeAndOneLine(Exception failure, int exitCode)
    {
        var cli = new CliHarness(connectFailure: failure);
        Assert.Equal(exitCode, await cli.RunAsync("--gateway", "127.0.0.1:1", "get", "k"));
        Assert.Equal(["127.0.0.1:1"], Assert.Single(cli.Connections).Gateways);
        var line = Assert.Single(cli.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("grainkv: ", line, StringComparison.Ordinal);
    }

    private static IEnumerable<(Command Command, string[] Path)> Leaves(Command command, string[] path)
    {
        foreach (var sub in command.Subcommands)
        {
            string[] subPath = [.. path, sub.Name];
            if (sub.Subcommands.Count == 0)
            {
                yield return (sub, subPath);
            }
            else
            {
                foreach (var leaf in Leaves(sub, subPath))
                {
                    yield return leaf;
                }
            }
        }
    }
}
