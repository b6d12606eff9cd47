// Anti-entropy options are checked at start-up with the node's options, and the throttle holds exchanges to their
// byte budget on the GrainKV clock and to their slot count.

using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.AntiEntropy;

public sealed class AntiEntropyOptionsTests
{
    [Fact]
    public void DefaultsAreValidAndBadValuesAreNamed()
    {
        var validator = new GrainKvNodeOptionsValidator();
        Assert.True(validator.Validate(null, new GrainKvNodeOptions()).Succeeded);
        Assert.True(new AntiEntropyOptions().TombstoneGracePeriod > TimeSpan.FromHours(1));

        foreach (var (bad, name) in new (Action<AntiEntropyOptions> Bad, string Name)[]
        {
            (o => o.ExchangePeriod = TimeSpan.FromMilliseconds(10), "ExchangePeriod"),
            (o => o.Leaves = 1000, "Leaves"),
            (o => o.MaxConcurrentExchanges = 0, "MaxConcurrentExchanges"),
            (o => o.MaxBytesPerSecond = 10, "MaxBytesPerSecond"),
            (o => o.TombstoneGracePeriod = TimeSpan.Zero, "TombstoneGracePeriod"),
        })
        {
            var options = new GrainKvNodeOptions();
            bad(options.AntiEntropy);
            var result = validator.Validate(null, options);
            Assert.True(result.Failed, name);
            Assert.Contains($"GrainKV:AntiEntropy:{name}", result.FailureMessage);
        }
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
