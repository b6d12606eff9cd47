// Anti-entropy options are checked at start-up with the node's options, and the throttle holds exchanges to their
// byte budget on the GrainKV clock and to their slot count.

using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.AntiEntropy;

public sealed class AntiEntropyOptionsTests
{
    private static readonly Dictionary<string, (Action<AntiEntropyOptions> Change, string Named)> Bad = new()
    {
        ["exchange period below a second"] = (o => o.ExchangePeriod = TimeSpan.FromMilliseconds(999), "AntiEntropy.ExchangePeriod"),
        ["exchange period above a week"] = (o => o.ExchangePeriod = TimeSpan.FromDays(8), "AntiEntropy.ExchangePeriod"),
        ["leaves not a power of two"] = (o => o.Leaves = 1000, "AntiEntropy.Leaves must be a power of two"),
        ["one leaf"] = (o => o.Leaves = 1, "AntiEntropy.Leaves"),
        ["leaves above 65536"] = (o => o.Leaves = 1 << 17, "AntiEntropy.Leaves"),
        ["no concurrent exchange"] = (o => o.MaxConcurrentExchanges = 0, "AntiEntropy.MaxConcurrentExchanges"),
        ["65 concurrent exchanges"] = (o => o.MaxConcurrentExchanges = 65, "AntiEntropy.MaxConcurrentExchanges"),
        ["rate below 64 KiB/s"] = (o => o.MaxBytesPerSecond = 65535, "AntiEntropy.MaxBytesPerSecond"),
        ["no grace period"] = (o => o.TombstoneGracePeriod = TimeSpan.Zero, "AntiEntropy.TombstoneGracePeriod"),
        ["grace period above ten years"] = (o => o.TombstoneGracePeriod = TimeSpan.FromDays(3651), "AntiEntropy.TombstoneGracePeriod"),
    };

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    [Fact]
    public void TheDefaultsAndTheBoundsAreValid()
    {
        var validator = new GrainKvNodeOptionsValidator();
        Assert.True(validator.Validate(null, new GrainKvNodeOptions()).Succeeded);
        Assert.True(new AntiEntropyOptions().TombstoneGracePeriod > TimeSpan.FromHours(1));
        var bounds = new GrainKvNodeOptions
        {
            AntiEntropy = new()
            {
                ExchangePeriod = TimeSpan.FromSeconds(1),
                Leaves = 1 << 16,
                MaxConcurrentExchanges = 64,
                MaxBytesPerSecond = 65536,
                TombstoneGracePeriod = TimeSpan.FromDays(3650),
            },
        };
        Assert.True(validator.Validate(null, bounds).Succeeded);
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void ABadValueIsNamed(string name)
    {
        var (change, named) = Bad[name];
        var options = new GrainKvNodeOptions();
        change(options.AntiEntropy);
        var result = new GrainKvNodeOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains($"GrainKvNodeOptions.{named}", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheThrottleMakesAnOverdraftWaitOnTheClock()
    {
        var time = new FakeTimeProvider();
        var options = new GrainKvNodeOptions();
        options.AntiEntropy.MaxBytesPerSecond = 1_000_000;
        var throttle = new ExchangeThrottle(Options.Create(options), new GrainKvClock(time));

        // One second's worth is available at once; the next half second's worth waits half a second.
        await throttle.SpendAsync(1_000_000, CancellationToken.None);
        var overdraft = throttle.SpendAsync(500_000, CancellationToken.None);
        Assert.False(overdraft.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(overdraft.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(2));
        await overdraft.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TheThrottleRunsAtMostTheConfiguredExchangesAtOnce()
    {
        var options = new GrainKvNodeOptions();
        options.AntiEntropy.MaxConcurrentExchanges = 2;
        var throttle = new ExchangeThrottle(Options.Create(options), new GrainKvClock(new FakeTimeProvider()));
        var first = await throttle.EnterAsync(CancellationToken.None);
        using var second = await throttle.EnterAsync(CancellationToken.None);
        var third = throttle.EnterAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);
        first.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }
}
