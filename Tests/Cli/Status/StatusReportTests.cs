// The status tables written to something that is not a terminal: plain text, no escapes or borders, one line per
// row with a word in every column, so scripts can read them.

extern alias grainkv;

using GrainKV.AntiEntropy;
using grainkv::GrainKV.Cli.Status;

namespace GrainKV.Tests.CliTool.Status;

public sealed class StatusReportTests
{
    private static readonly ClusterStatus ThreeNodes = new("n1", 1024, 3, 2, 2,
    [
        new NodeStatus("n1", "dc-a", true, "10.0.0.1:11111@1", 400, 1024) { Gossip = "up", HeartbeatAge = TimeSpan.FromSeconds(0.4) },
        new NodeStatus("n2", "", true, "10.0.0.2:11111@1", 312, 1024) { Gossip = "suspect", SuspectedBy = ["n1", "n3"], RingState = "leaving" },
        new NodeStatus("n3[x]", "dc-b", false, "10.0.0.3:11111@1", 312, 1024) { Gossip = "down", HeartbeatAge = TimeSpan.FromSeconds(12) },
    ])
    {
        PendingHints = 7,
        Transfers = [new TransferStatus("n2", "leaving", 312, 5, 2) { KeysSent = 1234, BytesSent = 56789 }],
    };

    [Fact]
    public void TheNodesTableIsPlainTextWithOneLinePerNode()
    {
        var cli = new CliHarness();
        StatusReport.Write(cli.Console.Tables, ThreeNodes);
        var lines = cli.Output.Split('\n');

        Assert.DoesNotContain('\u001b', cli.Output);
        Assert.DoesNotContain('│', cli.Output);
        Assert.Equal("3 node(s) on the ring, 2 live; 1024 ranges; N=3 W=2 R=2 (as seen by n1, which keeps 7 hint(s) for other nodes)", lines[0]);
        Assert.Equal(
            ["NODE", "ADDRESS", "DC", "RING", "LIVE", "GOSSIP", "HEARD", "SHARE", "PRIMARY", "REPLICAS", "TRANSFERS", "SUSPECTED-BY"],
            Words(Assert.Single(lines, l => l.TrimStart().StartsWith("NODE ", StringComparison.Ordinal) && l.Contains("ADDRESS", StringComparison.Ordinal))));
        Assert.Equal(["n1", "10.0.0.1:11111@1", "dc-a", "normal", "up", "up", "0.4s", "39.1%", "400", "1024", "-", "-"], Row(lines, "n1"));
        Assert.Equal(["n2", "10.0.0.2:11111@1", "-", "leaving", "up", "suspect", "-", "30.5%", "312", "1024", "2/5", "n1,n3"], Row(lines, "n2"));
        Assert.Equal(["n3[x]", "10.0.0.3:11111@1", "dc-b", "normal", "down", "down", "12.0s", "30.5%", "312", "1024", "-", "-"], Row(lines, "n3[x]"));

        Assert.Contains("transfers (since each node started):", lines);
        Assert.Equal(["n2", "leaving", "312", "5", "2", "0", "0", "0", "1234", "56789", "0"], Words(lines.Last(l => Words(l).FirstOrDefault() == "n2")));
    }

    [Fact]
    public void NoTransfersNoTransfersTable()
    {
        var cli = new CliHarness();
        StatusReport.Write(cli.Console.Tables, ThreeNodes with { Transfers = [] });
        Assert.DoesNotContain("transfers (since", cli.Output, StringComparison.Ordinal);
        Assert.Equal("down", Row(cli.Output.Split('\n'), "n3[x]")[4]);
    }

    [Fact]
    public void TheRangesTablesArePlainText()
    {
        var last = new ExchangeResult(17, ["n1", "n2"], true, 5, 1, 2, 2, 2, 1024, new DateTimeOffset(2026, 11, 26, 5, 0, 0, TimeSpan.Zero))
        {
            TombstonesPurged = 1,
        };
        var exchange = new RangeExchangeStatus(17, last, 3, 9, 4096);
        var status = new AntiEntropyStatus("n1", 1024,
        [
            new NodeAntiEntropyStatus("n1", 500, 40, 3, [exchange]),
            new NodeAntiEntropyStatus("n2", 0, 0, 0, []) { Error = "timed out" },
        ]);
        var cli = new CliHarness();
        RangeStatusReport.Write(cli.Console.Tables, status);
        var lines = cli.Output.Split('\n');

        Assert.DoesNotContain('\u001b', cli.Output);
        Assert.Equal("anti-entropy on 2 live node(s), 1024 ranges (as seen by n1)", lines[0]);
        Assert.Equal(["n1", "500", "40", "3", "3", "9", "4096", "-"], Row(lines, "n1"));
        Assert.Equal(["n2", "-", "-", "-", "-", "-", "-", "no", "answer:", "timed", "out"], Row(lines, "n2"));
        Assert.Contains("1 of 1024 ranges exchanged since their exchanging node started", lines);
        Assert.Equal(["17", "2026-11-26T05:00:00Z", "yes", "2", "1024", "1", "9", "4096", "n1,n2"], Row(lines, "17"));
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The first row whose first word is <paramref name="first"/>.</summary>
    private static string[] Row(string[] lines, string first) => Words(lines.First(l => Words(l).FirstOrDefault() == first));
}
