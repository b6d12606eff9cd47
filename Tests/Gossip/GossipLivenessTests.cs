// The liveness view coordinators consult, on a FakeTimeProvider: IsDown follows the table, every state change
// bumps Version and raises Changed, and only entering or leaving Down logs at Information (once each). Also
// the options: bound from "GrainKV:Gossip" by AddGrainKvGossip, and validated.

using GrainKV.Grains;
using GrainKV.Grains.Gossip;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.Gossip;

public sealed class GossipLivenessTests
{
    private static readonly GossipOptions Options = new();

    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger<GossipLiveness> _logger = new();

    [Fact]
    public void IsDownVersionEventsAndLogsFollowTheStateChanges()
    {
        var a = new GossipLiveness("a", 1, Options, _time, _logger);
        var b = new GossipLiveness("b", 1, Options, _time, new FakeLogger<GossipLiveness>());
        var changes = new List<GossipStateChange>();
        a.Changed += changes.Add;
        string[] members = ["a", "b", "c"];

        a.Tick(members);
        b.Tick(members);
        Assert.False(a.IsDown("c"));
        Assert.False(a.IsDown("unknown"));
        Assert.Equal(NodeLiveness.Unknown, a.StateOf("unknown"));

        for (var i = 0; i < 3; i++)
        {
            _time.Advance(Options.Period);
            a.Tick(members);
            b.Tick(members);
            a.Merge(b.Digest());
            b.Merge(a.Digest());
        }

        Assert.True(a.IsDown("c"));
        Assert.True(b.IsDown("c"));
        Assert.False(a.IsDown("b"));
        var snapshot = a.Snapshot();
        var c = snapshot.Nodes.Single(n => n.NodeId == "c");
        Assert.Equal(NodeLiveness.Down, c.State);
        Assert.Equal(["a", "b"], c.SuspectedBy);
        Assert.True(c.HeartbeatAge >= Options.SuspectTimeout);
        Assert.Equal(2, snapshot.Quorum);

        // c answers again.
        var versionWhileDown = a.Version;
        var cNode = new GossipLiveness("c", 2, Options, _time, new FakeLogger<GossipLiveness>());
        cNode.Tick(members);
        a.Merge(cNode.Digest());
        Assert.False(a.IsDown("c"));
        Assert.True(a.Version > versionWhileDown);

        Assert.Equal(
            [(NodeLiveness.Unknown, NodeLiveness.Up), (NodeLiveness.Up, NodeLiveness.Suspect), (NodeLiveness.Suspect, NodeLiveness.Down), (NodeLiveness.Down, NodeLiveness.Up)],
            changes.Where(ch => ch.NodeId == "c").Select(ch => (ch.Previous, ch.Current)));
        Assert.Equal(changes.Select(ch => ch.Version), changes.Select(ch => ch.Version).Order());

        var information = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Information).Select(r => r.Message).ToList();
        Assert.Equal(2, information.Count);
        Assert.Contains("node c is down", information[0], StringComparison.Ordinal);
        Assert.Contains("node c is no longer down", information[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("period below 10 ms", "GossipOptions.Period")]
    [InlineData("period above a day", "GossipOptions.Period")]
    [InlineData("suspect timeout below two periods", "GrainKV:Gossip:SuspectTimeout must be at least two periods")]
    [InlineData("no fanout", "GossipOptions.Fanout")]
    [InlineData("fanout of 65", "GossipOptions.Fanout")]
    [InlineData("zero exchange timeout", "GossipOptions.ExchangeTimeout")]
    [InlineData("exchange timeout above the suspect timeout", "GrainKV:Gossip:ExchangeTimeout must be at most SuspectTimeout")]
    public void EachBadOptionIsNamed(string name, string named)
    {
        var options = new GossipOptions();
        switch (name)
        {
            case "period below 10 ms": options.Period = TimeSpan.FromMilliseconds(9); break;
            case "period above a day": (options.Period, options.SuspectTimeout) = (TimeSpan.FromDays(2), TimeSpan.FromDays(5)); break;
            case "suspect timeout below two periods": options.SuspectTimeout = TimeSpan.FromMilliseconds(1999); break;
            case "no fanout": options.Fanout = 0; break;
            case "fanout of 65": options.Fanout = 65; break;
            case "zero exchange timeout": options.ExchangeTimeout = TimeSpan.Zero; break;
            default: options.ExchangeTimeout = TimeSpan.FromSeconds(3.5); break;
        }

        var result = new GossipOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultsAndTheBoundsAreValid()
    {
        var validator = new GossipOptionsValidator();
        Assert.True(validator.Validate(null, new GossipOptions()).Succeeded);
        Assert.True(validator.Validate(null, new GossipOptions { Period = TimeSpan.FromMilliseconds(10), SuspectTimeout = TimeSpan.FromMilliseconds(20), Fanout = 64 }).Succeeded);
        Assert.True(validator.Validate(null, new GossipOptions { ExchangeTimeout = TimeSpan.FromSeconds(3) }).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(1), new GossipOptions().EffectiveExchangeTimeout);
    }

    [Fact]
    public void AddGrainKvGossipBindsTheGossipSectionAndValidatesIt()
    {
        using var host = Host(period: "00:00:02", timeout: "00:00:07", fanout: "3");
        var options = host.Services.GetRequiredService<IOptions<GossipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(2), options.Period);
        Assert.Equal(TimeSpan.FromSeconds(7), options.SuspectTimeout);
        Assert.Equal(3, options.Fanout);

        using var invalid = Host(period: "00:00:01", timeout: "00:00:01", fanout: "0");
        var failure = Assert.Throws<OptionsValidationException>(() => invalid.Services.GetRequiredService<IOptions<GossipOptions>>().Value);
        Assert.Contains("GossipOptions.Fanout", failure.Message, StringComparison.Ordinal);
        Assert.Contains("GrainKV:Gossip:SuspectTimeout", failure.Message, StringComparison.Ordinal);
    }

    private static IHost Host(string period, string timeout, string fanout)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GrainKV:Gossip:Period"] = period,
            ["GrainKV:Gossip:SuspectTimeout"] = timeout,
            ["GrainKV:Gossip:Fanout"] = fanout,
        });
        builder.UseOrleans(silo => silo.AddGrainKvGossip());
        return builder.Build();
    }
}
