// Parsing of every grainkv command and option, in-process: the root command is built and Parse is called; the
// parsed values are checked through each command's Bind, i.e. what the command would send.

extern alias grainkv;

using GrainKV.Versioning;

namespace GrainKV.Tests.CliTool.CommandLine;

public sealed class GrainKvCommandLineTests
{
    private static readonly CausalContext SomeContext = CausalContext.For("k"u8, VectorClock.Empty.Increment("n1", 1));

    [Fact]
    public void PutTakesAValueStandardInputOrAFile()
    {
        var cli = new CliHarness();
        Assert.Equal(new("k", "v", null, null, new WriteOptions()), cli.CommandLine.Put.Bind(cli.Parse("put", "k", "v")));

        var stdin = cli.CommandLine.Put.Bind(cli.Parse("put", "k", "-"));
        Assert.True(stdin.FromStandardInput);

        var file = cli.CommandLine.Put.Bind(cli.Parse("put", "k", "--file", "/tmp/photo.jpg"));
        Assert.Equal(("k", null, "/tmp/photo.jpg"), (file.Key, file.Value, file.File));
        Assert.False(file.FromStandardInput);
    }

    [Theory]
    [InlineData("-v")]
    [InlineData("-hello")]
    [InlineData("--ttl")]
    [InlineData("@response-file")]
    [InlineData("")]
    [InlineData("two words")]
    public void AValueIsTakenAsGivenAfterDoubleDash(string value)
    {
        var cli = new CliHarness();
        var request = cli.CommandLine.Put.Bind(cli.Parse("put", "--", "-key", value));
        Assert.Equal(("-key", value), (request.Key, request.Value));
        Assert.False(request.FromStandardInput);
    }

    [Theory]
    [InlineData("-hello")]
    [InlineData("@response-file")]
    [InlineData("-5")]
    public void AValueThatIsNoOptionNeedsNoDoubleDash(string value)
    {
        var cli = new CliHarness();
        Assert.Equal(value, cli.CommandLine.Put.Bind(cli.Parse("put", "k", value)).Value);
    }

    [Fact]
    public void PutTakesTtlContextAndWriteOptionsAfterTheCommand()
    {
        var cli = new CliHarness();
        var request = cli.CommandLine.Put.Bind(cli.Parse(
            "put", "k", "v", "--ttl", "30s", "--n", "3", "--w", "QUORUM", "--mode", "strict", "--context", SomeContext.ToString()));
        Assert.Equal(
            new WriteOptions { Replicas = 3, WriteQuorum = Acks.Quorum, Mode = CapMode.Strict, TimeToLive = TimeSpan.FromSeconds(30) },
            request.Options);
        Assert.Equal(SomeContext, request.Context);
    }

    [Fact]
    public void PerRequestOptionsMayComeBeforeTheCommand()
    {
        var cli = new CliHarness();
        var before = cli.CommandLine.Put.Bind(cli.Parse("--n", "2", "--w", "all", "--mode", "SLOPPY", "--context", SomeContext.ToString(), "put", "k", "v"));
        var after = cli.CommandLine.Put.Bind(cli.Parse("put", "k", "v", "--n", "2", "--w", "all", "--mode", "SLOPPY", "--context", SomeContext.ToString()));
        Assert.Equal(new WriteOptions { Replicas = 2, WriteQuorum = Acks.All, Mode = CapMode.Sloppy }, before.Options);
        Assert.Equal(before, after);

        var levelled = cli.CommandLine.Put.Bind(cli.Parse("--consistency", "LOCAL_QUORUM", "put", "k", "v"));
        Assert.Equal(ConsistencyLevel.LocalQuorum, levelled.Options.Consistency);
    }

    [Fact]
    public void GetTakesOutAndReadOptions()
    {
        var cli = new CliHarness();
        var request = cli.CommandLine.Get.Bind(cli.Parse("get", "k", "--out", "copy.jpg", "--r", "2", "--n", "3", "--mode", "strict"));
        Assert.Equal(new("k", "copy.jpg", new ReadOptions { Replicas = 3, ReadQuorum = Acks.Of(2), Mode = CapMode.Strict }), request);

        Assert.Equal(ConsistencyLevel.EachQuorum, cli.CommandLine.Get.Bind(cli.Parse("--consistency", "each-quorum", "get", "k")).Options.Consistency);
        Assert.Equal(Acks.All, cli.CommandLine.Get.Bind(cli.Parse("get", "k", "--r", "all")).Options.ReadQuorum);
        Assert.Equal(new("k", null, new ReadOptions()), cli.CommandLine.Get.Bind(cli.Parse("get", "k")));
    }

    [Fact]
    public void DeleteTakesContextAndWriteOptions()
    {
        var cli = new CliHarness();
        var request = cli.CommandLine.Delete.Bind(cli.Parse("delete", "k", "--context", SomeContext.ToString(), "--w", "ONE"));
        Assert.Equal(new("k", SomeContext, new WriteOptions { WriteQuorum = Acks.One }), request);
    }

    [Fact]
    public void StatusAndRanges()
    {
        var cli = new CliHarness();
        var status = cli.Parse("status");
        Assert.Same(cli.CommandLine.Status, status.CommandResult.Command);
        Assert.False(status.GetValue(cli.CommandLine.Status.Ranges));
        Assert.True(cli.Parse("status", "--ranges").GetValue(cli.CommandLine.Status.Ranges));
    }

    [Theory]
    [InlineData("decommission")]
    [InlineData("remove")]
    public void NodeCommandsTakeTheNode(string verb)
    {
        var cli = new CliHarness();
        var result = cli.Parse("node", verb, "n3");
        Assert.Same(verb == "remove" ? cli.CommandLine.Node.Remove : cli.CommandLine.Node.Decommission, result.CommandResult.Command);
        Assert.Equal("n3", result.GetValue(cli.CommandLine.Node.Node));
    }
}
