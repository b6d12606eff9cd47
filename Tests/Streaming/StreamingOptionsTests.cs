// Streaming options are validated at start-up with the node options: the defaults are valid and each bad setting is named.

using GrainKV.Grains.Hosting;
using GrainKV.Grains.Streaming;

namespace GrainKV.Tests.Streaming;

public sealed class StreamingOptionsTests
{
    private static readonly Dictionary<string, (Action<StreamingOptions> Change, string Named)> Bad = new()
    {
        ["rate below 64 KiB/s"] = (o => o.MaxBytesPerSecond = 65535, "Streaming.MaxBytesPerSecond"),
        ["no concurrent range"] = (o => o.MaxConcurrentRanges = 0, "Streaming.MaxConcurrentRanges"),
        ["65 concurrent ranges"] = (o => o.MaxConcurrentRanges = 65, "Streaming.MaxConcurrentRanges"),
        ["batch below 1 KiB"] = (o => o.BatchBytes = 1023, "Streaming.BatchBytes"),
        ["batch above 16 MiB"] = (o => o.BatchBytes = 16 * 1024 * 1024 + 1, "Streaming.BatchBytes"),
        ["check interval below 50 ms"] = (o => o.CheckInterval = TimeSpan.FromMilliseconds(49), "Streaming.CheckInterval"),
        ["check interval above a minute"] = (o => o.CheckInterval = TimeSpan.FromSeconds(61), "Streaming.CheckInterval"),
    };

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    [Fact]
    public void TheDefaultsAndTheBoundsAreValid()
    {
        var validator = new GrainKvNodeOptionsValidator();
        Assert.True(validator.Validate(null, new GrainKvNodeOptions()).Succeeded);
        var bounds = new GrainKvNodeOptions
        {
            Streaming = new() { MaxBytesPerSecond = 65536, MaxConcurrentRanges = 64, BatchBytes = 1024, CheckInterval = TimeSpan.FromMilliseconds(50) },
        };
        Assert.True(validator.Validate(null, bounds).Succeeded);
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void ABadSettingIsNamedAndTheNodeRefusesToStart(string name)
    {
        var (change, named) = Bad[name];
        var options = new GrainKvNodeOptions();
        change(options.Streaming);
        var result = new GrainKvNodeOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains($"GrainKvNodeOptions.{named}", result.FailureMessage, StringComparison.Ordinal);
    }
}
