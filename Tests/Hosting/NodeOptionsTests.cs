// Node options are validated at start-up: each bad setting is named in the failure.

using GrainKV.Grains.Hosting;

namespace GrainKV.Tests.Hosting;

public sealed class NodeOptionsTests
{
    private static string? Failure(Action<GrainKvNodeOptions> change)
    {
        var options = new GrainKvNodeOptions();
        change(options);
        var result = new GrainKvNodeOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void TheDefaultsAreValid() => Assert.Null(Failure(_ => { }));

    [Theory]
    [InlineData("ReadRepairChance")]
    [InlineData("SpeculativeReadDelay")]
    [InlineData("CommitInterval")]
    [InlineData("WriteQuorum")]
    [InlineData("RangeCount")]
    public void ABadSettingIsNamed(string setting)
    {
        Action<GrainKvNodeOptions> change = setting switch
        {
            "ReadRepairChance" => o => o.ReadRepairChance = 1.5,
            "SpeculativeReadDelay" => o => o.SpeculativeReadDelay = TimeSpan.Zero,
            "CommitInterval" => o => o.CommitInterval = TimeSpan.FromMinutes(5),
            "WriteQuorum" => o => o.WriteQuorum = 4,
            _ => o => o.RangeCount = 1000,
        };

        Assert.Contains(setting, Failure(change), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dc1:2,dc2:1", "dc1", 3, null)]
    [InlineData("dc1:2,dc2:2", "dc1", 3, "adds up to 4, not to GrainKV:ReplicationFactor (3)")]
    [InlineData("dc1:2,dc2:1", "dc3", 3, "GrainKV:Datacenter 'dc3' is not one of the datacenters of GrainKV:DatacenterReplication (dc1, dc2)")]
    [InlineData("dc1:2,dc2:1", "", 3, "GrainKV:Datacenter '' is not one of the datacenters")]
    [InlineData("dc1=2", "dc1", 3, "GrainKV:DatacenterReplication: 'dc1=2'")]
    [InlineData("", "dc 1", 3, "GrainKV:Datacenter 'dc 1' must not contain white space")]
    public void ReplicasPerDatacenterAddUpToNAndNameThisNodesDatacenter(string counts, string datacenter, int n, string? failure)
    {
        var message = Failure(o => (o.DatacenterReplication, o.Datacenter, o.ReplicationFactor) = (counts, datacenter, n));
        if (failure is null)
        {
            Assert.Null(message);
        }
        else
        {
            Assert.Contains(failure, message, StringComparison.Ordinal);
        }
    }
}
