// Clocks and versions cross grain boundaries: the Orleans serializer must round-trip them, and the
// [Immutable] types must not be deep-copied.

using GrainKV.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GrainKV.Tests.Versioning;

public sealed class OrleansSerializationTests
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private static T RoundTrip<T>(T value)
    {
        var serializer = Services.GetRequiredService<Serializer>();
        return serializer.Deserialize<T>(serializer.SerializeToArray(value))!;
    }

    [Fact]
    public void VectorClockRoundTrips()
    {
        var clock = VectorClock.Empty.Increment("node-a", 10).Increment("node-b", 20).Increment("node-a", 30);
        Assert.Equal(clock, RoundTrip(clock));
        Assert.Equal(VectorClock.Empty, RoundTrip(VectorClock.Empty));
    }

    [Fact]
    public void VersionsAndOrdersRoundTrip()
    {
        var clock = VectorClock.Empty.Increment("n", 1);
        var value = new StoredVersion("n", 2, clock, 42, [1, 2, 3]);
        var copy = RoundTrip(value);
        Assert.True(copy.SameDot(value));
        Assert.Equal(value.Past, copy.Past);
        Assert.Equal(value.Value, copy.Value);
        Assert.Null(RoundTrip(value with { Value = null }).Value);
        Assert.Equal(ClockOrder.Concurrent, RoundTrip(ClockOrder.Concurrent));
        Assert.Equal(new ClockEntry("x", 3, 4), RoundTrip(new ClockEntry("x", 3, 4)));
    }

    [Fact]
    public void ExpiriesRoundTrip()
    {
        var expiring = new StoredVersion("n", 2, VectorClock.Empty.Increment("n", 1), 42, [1]) { ExpiresAtMs = 1_000 };
        Assert.Equal(1_000, RoundTrip(expiring).ExpiresAtMs);
        Assert.True(RoundTrip(expiring with { Value = null }).IsReclaimed);
        Assert.Equal(TimeSpan.FromSeconds(30), RoundTrip(new WriteOptions { TimeToLive = TimeSpan.FromSeconds(30) }).TimeToLive);
        var read = RoundTrip(new ReadResult([[1], [2]], CausalContext.Empty, [DateTimeOffset.FromUnixTimeMilliseconds(5), null]));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(5), read.ExpirationOf(0));
        Assert.Null(read.ExpirationOf(1));
        Assert.Null(new ReadResult([[1]], CausalContext.Empty).ExpirationOf(0));
    }

    [Fact]
    public void ImmutableTypesAreNotCopied()
    {
        var copier = Services.GetRequiredService<DeepCopier>();
        var value = new StoredVersion("n", 1, VectorClock.Empty.Increment("n", 1), 1, [1]);
        Assert.Same(value, copier.Copy(value));
        Assert.Same(value.Past, copier.Copy(value.Past));
    }
}
