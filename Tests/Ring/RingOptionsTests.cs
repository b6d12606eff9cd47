// Options validation: invalid Q, V, N, placement or per-datacenter counts are refused when the ring is built.

using GrainKV.Grains.Ring;
using Microsoft.Extensions.Options;

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

    public static TheoryData<RingOptions, string> Invalid => new()
    {
        { new RingOptions { RangeCount = 1000 }, "RingOptions.RangeCount must be a power of two" },
        { new RingOptions { RangeCount = 0 }, "RingOptions.RangeCount" },
        { new RingOptions { RangeCount = KeySpace.MaxRangeCount * 2 }, "RingOptions.RangeCount" },
        { new RingOptions { VirtualNodes = 0 }, "RingOptions.VirtualNodes" },
        { new RingOptions { VirtualNodes = RingOptions.MaxVirtualNodes + 1 }, "RingOptions.VirtualNodes" },
        { new RingOptions { ReplicationFactor = 0 }, "RingOptions.ReplicationFactor" },
        { new RingOptions { Datacenters = (DatacenterPlacement)7 }, "RingOptions.Datacenters must be Ignore or PreferDistinct" },
        { new RingOptions { ReplicasPerDatacenter = new Dictionary<string, int> { ["dc1"] = 2 } }, "must add up to the replication factor (3)" },
        { new RingOptions { ReplicasPerDatacenter = new Dictionary<string, int> { ["dc1"] = 4, ["dc2"] = -1 } }, "must not be negative" },
    };

    [Fact]
    public void TheBoundsThemselvesAreValid()
    {
        new RingOptions { RangeCount = 1, VirtualNodes = 1, ReplicationFactor = 1, Datacenters = DatacenterPlacement.Ignore }.Validate();
        new RingOptions { RangeCount = KeySpace.MaxRangeCount, VirtualNodes = RingOptions.MaxVirtualNodes }.Validate();
        new RingOptions { ReplicasPerDatacenter = new Dictionary<string, int> { ["dc1"] = 2, ["dc2"] = 1 } }.Validate();
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidOptionsAreRefusedNamingTheSetting(RingOptions options, string named)
    {
        Assert.Contains(named, Assert.Throws<OptionsValidationException>(options.Validate).Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => new HashRing(RingFixtures.Nodes(3), options));
    }
}
