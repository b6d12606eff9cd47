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
}
