// End to end: the real Silo executable in its own process, driven by the real grainkv CLI.

using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.EndToEnd;

public sealed class SiloAndCliTests
{
    [Fact]
    public async Task PutGetDeleteMissingAndOversizedThroughTheCli()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, "e2e-node");

        var put = await Cli.RunAsync(silo.Gateway, null, "put", "greeting", "hello world");
        Assert.True(put.ExitCode == 0, put.Stderr);

        var get = await Cli.RunAsync(silo.Gateway, null, "get", "greeting");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("hello world", get.StdoutText);

        var binary = new byte[4096];
        new Random(7).NextBytes(binary);
        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, binary, "put", "blob", "-")).ExitCode);
        Assert.Equal(binary, (await Cli.RunAsync(silo.Gateway, null, "get", "blob")).Stdout);

        var missing = await Cli.RunAsync(silo.Gateway, null, "get", "no-such-key");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);
        Assert.Empty(missing.Stdout);

        var oversized = await Cli.RunAsync(silo.Gateway, new byte[20 * 1024], "put", "greeting", "-");
        Assert.Equal(3, oversized.ExitCode);
        Assert.Contains("exceed the limit", oversized.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", oversized.Stderr, StringComparison.Ordinal);
        Assert.Equal("hello world", (await Cli.RunAsync(silo.Gateway, null, "get", "greeting")).StdoutText);

        var laxClient = await Cli.RunAsync(silo.Gateway, new byte[20 * 1024], "--max-entry-size", "1000000", "put", "greeting", "-");
        Assert.Equal(3, laxClient.ExitCode);
        Assert.Equal("hello world", (await Cli.RunAsync(silo.Gateway, null, "get", "greeting")).StdoutText);

        var status = await Cli.RunAsync(silo.Gateway, null, "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("1 node(s) on the ring, 1 live", status.StdoutText, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', status.StdoutText);   // redirected: a plain table, one line per node
        var node = status.StdoutText.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(w => w is ["e2e-node", ..]);   // the nodes table; the transfers table follows
        Assert.Equal(["normal", "up", "up"], node[3..6]);
        Assert.Equal("100.0%", node[7]);

        // Named consistency levels; on a node without a datacenter label the per-datacenter ones count its one datacenter.
        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "--consistency", "LOCAL_QUORUM", "put", "levelled", "yes")).ExitCode);
        Assert.Equal("yes", (await Cli.RunAsync(silo.Gateway, null, "--consistency", "each_quorum", "get", "levelled")).StdoutText);
        var both = await Cli.RunAsync(silo.Gateway, null, "--consistency", "ALL", "--r", "ONE", "get", "levelled");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--consistency replaces --r and --w", both.Stderr, StringComparison.Ordinal);
        var unknown = await Cli.RunAsync(silo.Gateway, null, "--consistency", "MOST", "get", "levelled");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("not 'MOST'", unknown.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "delete", "greeting")).ExitCode);
        Assert.Equal(1, (await Cli.RunAsync(silo.Gateway, null, "get", "greeting")).ExitCode);
    }

    [Fact]
    public async Task APutWithTtlExpiresAndBadDurationsAreUsageErrors()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, "ttl-node");

        // A real process on the real clock: the value is there, with its expiry, until it is not.
        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "session", "token", "--ttl", "2s")).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "lasting", "value")).ExitCode);
        var lasting = await Cli.RunAsync(silo.Gateway, null, "get", "lasting");
        Assert.DoesNotContain("expires:", lasting.Stderr, StringComparison.Ordinal);
        await Eventually.HoldsAsync(
            async () => (await Cli.RunAsync(silo.Gateway, null, "get", "session")).ExitCode == 1, TimeSpan.FromSeconds(60), "the value expired");
        Assert.Equal("value", (await Cli.RunAsync(silo.Gateway, null, "get", "lasting")).StdoutText);

        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "day", "v", "--ttl", "1d")).ExitCode);
        var day = await Cli.RunAsync(silo.Gateway, null, "get", "day");
        Assert.Equal("v", day.StdoutText);
        var expires = DateTimeOffset.Parse(day.Stderr.Split('\n').Single(l => l.StartsWith("expires: ", StringComparison.Ordinal))["expires: ".Length..].Trim());
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(24));

        foreach (var bad in new[] { "0s", "soon", "-5s", "40000d" })
        {
            var refused = await Cli.RunAsync(silo.Gateway, null, "put", "bad-ttl", "v", "--ttl", bad);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("--ttl takes a positive duration", refused.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(2, (await Cli.RunAsync(silo.Gateway, null, "delete", "day", "--ttl", "5s")).ExitCode);
        Assert.Equal(1, (await Cli.RunAsync(silo.Gateway, null, "get", "bad-ttl")).ExitCode);
    }

    [Fact]
    public async Task CliShowsSiblingsAndResolvesThemWithTheContext()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, "sibling-node");

        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "cart", "apple")).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "cart", "pear", "--w", "ONE")).ExitCode);

        var both = await Cli.RunAsync(silo.Gateway, null, "get", "cart", "--r", "all");
        Assert.Equal(0, both.ExitCode);
        Assert.Equal(["apple", "pear"], both.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Contains("siblings: 2", both.Stderr, StringComparison.Ordinal);
        var context = both.Stderr.Split('\n').Single(l => l.StartsWith("context: ", StringComparison.Ordinal))["context: ".Length..].Trim();

        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "cart", "apple+pear", "--context", context)).ExitCode);
        Assert.Equal("apple+pear", (await Cli.RunAsync(silo.Gateway, null, "get", "cart")).StdoutText);

        // A put without a context keeps the stored value beside it; --overwrite replaces whatever a read finds.
        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "cart", "plum")).ExitCode);
        Assert.Contains("siblings: 2", (await Cli.RunAsync(silo.Gateway, null, "get", "cart")).Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "cart", "fig", "--overwrite")).ExitCode);
        Assert.Equal("fig", (await Cli.RunAsync(silo.Gateway, null, "get", "cart", "--r", "all")).StdoutText);

        var tooFewNodes = await Cli.RunAsync(silo.Gateway, null, "get", "cart", "--n", "3", "--r", "2");
        Assert.Equal(4, tooFewNodes.ExitCode);
        Assert.Contains("Not enough replicas", tooFewNodes.Stderr, StringComparison.Ordinal);

        var quorumAboveN = await Cli.RunAsync(silo.Gateway, null, "get", "cart", "--r", "2");
        Assert.Equal(3, quorumAboveN.ExitCode);
        Assert.Single(quorumAboveN.Stderr.Trim().Split('\n'));

        var badContext = await Cli.RunAsync(silo.Gateway, null, "put", "cart", "x", "--context", "***");
        Assert.Equal(2, badContext.ExitCode);
    }

    [Fact]
    public async Task AcknowledgedWritesSurviveSigkillAndGracefulStop()
    {
        using var data = new TempDirectory();
        var silo = await SiloProcess.StartAsync(data.Path, "crash-node");
        try
        {
            Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "a", "1")).ExitCode);
            Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "b", "2")).ExitCode);
            Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "delete", "a")).ExitCode);
            await silo.KillAsync();
        }
        finally
        {
            await silo.DisposeAsync();
        }

        silo = await SiloProcess.StartAsync(data.Path, "crash-node");
        try
        {
            Assert.Equal(1, (await Cli.RunAsync(silo.Gateway, null, "get", "a")).ExitCode);
            Assert.Equal("2", (await Cli.RunAsync(silo.Gateway, null, "get", "b")).StdoutText);
            Assert.Equal(0, (await Cli.RunAsync(silo.Gateway, null, "put", "c", "3")).ExitCode);
            Assert.Equal(0, await silo.StopAsync());
            Assert.Contains("closed its store", silo.Output, StringComparison.Ordinal);
        }
        finally
        {
            await silo.DisposeAsync();
        }

        await using var again = await SiloProcess.StartAsync(data.Path, "crash-node");
        Assert.Equal("3", (await Cli.RunAsync(again.Gateway, null, "get", "c")).StdoutText);
    }

    [Fact]
    public async Task ANodeRefusesADataDirectoryOfAnotherNode()
    {
        using var data = new TempDirectory();
        await using (var first = await SiloProcess.StartAsync(data.Path, "owner"))
        {
            Assert.Equal(0, await first.StopAsync());
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data.Path, "intruder"));
        Assert.Contains("belongs to node 'owner'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliReportsAnUnreachableClusterInOneLine()
    {
        var result = await Cli.RunAsync("127.0.0.1:1", null, "get", "x");
        Assert.Equal(4, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
