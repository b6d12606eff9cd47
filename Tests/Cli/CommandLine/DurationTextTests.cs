// Durations of --ttl: a positive number with an optional unit, at most the longest time to live.

extern alias grainkv;

using grainkv::GrainKV.Cli.CommandLine;

namespace GrainKV.Tests.CliTool.CommandLine;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("30", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("15m", 900_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("7D", 604_800_000)]
    [InlineData("0.0001s", 1)]
    public void ParsesANumberAndAUnit(string text, long milliseconds)
    {
        Assert.True(DurationText.TryParse(text, "--ttl", out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("40000d")]
    [InlineData("")]
    [InlineData("5x")]
    public void RefusesWhatIsNotAPositiveBoundedDuration(string text)
    {
        Assert.False(DurationText.TryParse(text, "--ttl", out _, out var error));
        Assert.StartsWith("--ttl takes a positive duration", error, StringComparison.Ordinal);
        Assert.Contains($"'{text}'", error, StringComparison.Ordinal);
    }
}
