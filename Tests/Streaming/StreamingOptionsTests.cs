// Streaming options are validated at start-up with the node options: each bad setting is named.

using GrainKV.Grains.Hosting;

namespace GrainKV.Tests.Streaming;

public sealed class StreamingOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(new GrainKV.Grains.Streaming.StreamingOptions().Problems());

    [Theory]
    [InlineData("Streaming:MaxBytesPerSecond")]
    [InlineData("Streaming:MaxConcurrentRanges")]
    [InlineData("Streaming:BatchBytes")]
    [InlineData("Streaming:CheckInterval")]
    public void ABadSettingIsNamedAndTheNodeRefusesToStart(string setting)
    {
        var options = new GrainKvNodeOptions();
        _ = setting switch
        {
            "Streaming:MaxBytesPerSecond" => options.Streaming.MaxBytesPerSecond = 1000,
            "Streaming:MaxConcurrentRanges" => options.Streaming.MaxConcurrentRanges = 0,
            "Streaming:BatchBytes" => options.Streaming.BatchBytes = 10,
            _ => (options.Streaming.CheckInterval = TimeSpan.Zero).Ticks,
        };

        var result = new GrainKvNodeOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains($"GrainKV:{setting}", result.FailureMessage, StringComparison.Ordinal);
    }
}
