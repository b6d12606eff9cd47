// Options validation: invalid Q, V or N are refused when the ring is built.

using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Ring;

public sealed class RingOptionsTests
{
    [Fact]
    public void DefaultsAreQ1024V256N3()
    {
        var options = new RingOptions();
        options.Validate();
        Assert.Equal((1024, 256, 3), (options.RangeCount, options.VirtualNodes, options.ReplicationFactor));
        Assert.Equal(DatacenterPlacement.PreferDistinct, options.Datacenters);
    }

    public static TheoryData<RingOptions> Invalid => new()
    {
        new RingOptions { RangeCount = 1000 },
        new RingOptions { RangeCount = 0 },
        new RingOptions { VirtualNodes = 0 },
        new RingOptions { VirtualNodes = RingOptions.MaxVirtualNodes + 1 },
        new RingOptions { ReplicationFactor = 0 },
        new RingOptions { Datacenters = (DatacenterPlacement)7 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidOptionsAreRefused(RingOptions options)
    {
        Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.ThrowsAny<ArgumentException>(() => new HashRing(RingFixtures.Nodes(3), options));
    }
}
