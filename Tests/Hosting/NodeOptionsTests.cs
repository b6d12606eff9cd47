// Node options are validated at start-up: the defaults are valid, and each rule refuses its bad values and names the
// setting (the nested AntiEntropy and Streaming sections have their own tests).

using GrainKV.Grains.Hosting;

namespace GrainKV.Tests.Hosting;

public sealed class NodeOptionsTests
{
    private static readonly Dictionary<string, (Action<GrainKvNodeOptions> Change, string Named)> Bad = new()
    {
        ["blank data directory"] = (o => o.DataDirectory = " ", "GrainKvNodeOptions.DataDirectory"),
        ["empty node id"] = (o => o.NodeId = "", "GrainKvNodeOptions.NodeId"),
        ["node id of 129 characters"] = (o => o.NodeId = new string('n', 129), "GrainKvNodeOptions.NodeId"),
        ["node id with a slash"] = (o => o.NodeId = "a/b", "GrainKvNodeOptions.NodeId must contain no '/' or white space"),
        ["node id with a space"] = (o => o.NodeId = "a b", "GrainKvNodeOptions.NodeId must contain no '/' or white space"),
        ["entry of one byte"] = (o => o.MaxEntrySize = 1, "GrainKvNodeOptions.MaxEntrySize"),
        ["entry above 4 MiB"] = (o => o.MaxEntrySize = 4 * 1024 * 1024 + 1, "GrainKvNodeOptions.MaxEntrySize"),
        ["range count not a power of two"] = (o => o.RangeCount = 1000, "GrainKvNodeOptions.RangeCount must be a power of two"),
        ["one range"] = (o => o.RangeCount = 1, "GrainKvNodeOptions.RangeCount"),
        ["range count above 2^20"] = (o => o.RangeCount = 1 << 21, "GrainKvNodeOptions.RangeCount"),
        ["no replicas"] = (o => o.ReplicationFactor = 0, "GrainKvNodeOptions.ReplicationFactor"),
        ["write quorum zero"] = (o => o.WriteQuorum = 0, "GrainKvNodeOptions.WriteQuorum"),
        ["read quorum zero"] = (o => o.ReadQuorum = 0, "GrainKvNodeOptions.ReadQuorum"),
        ["write quorum above N"] = (o => o.WriteQuorum = 4, "WriteQuorum (4) and ReadQuorum (2) <= ReplicationFactor (3)"),
        ["read quorum above N"] = (o => o.ReadQuorum = 4, "WriteQuorum (2) and ReadQuorum (4) <= ReplicationFactor (3)"),
        ["zero request timeout"] = (o => o.RequestTimeout = TimeSpan.Zero, "GrainKvNodeOptions.RequestTimeout"),
        ["zero commit interval"] = (o => o.CommitInterval = TimeSpan.Zero, "GrainKvNodeOptions.CommitInterval"),
        ["commit interval above a minute"] = (o => o.CommitInterval = TimeSpan.FromMinutes(5), "GrainKvNodeOptions.CommitInterval"),
        ["negative commit spacing"] = (o => o.CommitSpacing = TimeSpan.FromMilliseconds(-1), "GrainKvNodeOptions.CommitSpacing"),
        ["commit spacing above a minute"] = (o => o.CommitSpacing = TimeSpan.FromMinutes(5), "GrainKvNodeOptions.CommitSpacing"),
        ["negative background nice value"] = (o => o.BackgroundNice = -1, "GrainKvNodeOptions.BackgroundNice"),
        ["background nice value above 19"] = (o => o.BackgroundNice = 20, "GrainKvNodeOptions.BackgroundNice"),
        ["read repair chance above 1"] = (o => o.ReadRepairChance = 1.5, "GrainKvNodeOptions.ReadRepairChance"),
        ["negative read repair chance"] = (o => o.ReadRepairChance = -0.1, "GrainKvNodeOptions.ReadRepairChance"),
        ["read repair chance NaN"] = (o => o.ReadRepairChance = double.NaN, "GrainKvNodeOptions.ReadRepairChance"),
        ["negative read repair age"] = (o => o.ReadRepairMinAge = TimeSpan.FromSeconds(-1), "GrainKvNodeOptions.ReadRepairMinAge"),
        ["read repair age above an hour"] = (o => o.ReadRepairMinAge = TimeSpan.FromHours(2), "GrainKvNodeOptions.ReadRepairMinAge"),
        ["zero speculative read delay"] = (o => o.SpeculativeReadDelay = TimeSpan.Zero, "GrainKvNodeOptions.SpeculativeReadDelay"),
        ["no virtual nodes"] = (o => o.VirtualNodes = 0, "GrainKvNodeOptions.VirtualNodes"),
        ["too many virtual nodes"] = (o => o.VirtualNodes = Grains.Ring.RingOptions.MaxVirtualNodes + 1, "GrainKvNodeOptions.VirtualNodes"),
        ["no clock entries"] = (o => o.MaxClockEntries = 0, "GrainKvNodeOptions.MaxClockEntries"),
        ["no copies in flight"] = (o => o.MaxCopiesInFlightPerNode = 0, "GrainKvNodeOptions.MaxCopiesInFlightPerNode"),
        ["negative hints"] = (o => o.MaxHints = -1, "GrainKvNodeOptions.MaxHints"),
        ["undefined mode"] = (o => o.Mode = (GrainKV.CapMode)7, "GrainKvNodeOptions.Mode must be Sloppy or Strict"),
        ["zero hint delivery interval"] = (o => o.HintDeliveryInterval = TimeSpan.Zero, "GrainKvNodeOptions.HintDeliveryInterval"),
        ["no hint delivery concurrency"] = (o => o.HintDeliveryConcurrency = 0, "GrainKvNodeOptions.HintDeliveryConcurrency"),
        ["memtable below 1 MiB"] = (o => o.MemTableSize = 1024, "GrainKvNodeOptions.MemTableSize"),
        ["negative block cache"] = (o => o.BlockCacheSize = -1, "GrainKvNodeOptions.BlockCacheSize"),
        ["negative version cache"] = (o => o.VersionCacheEntries = -1, "GrainKvNodeOptions.VersionCacheEntries"),
        ["version cache above 4 Mi keys"] = (o => o.VersionCacheEntries = 4 * 1024 * 1024 + 1, "GrainKvNodeOptions.VersionCacheEntries"),
    };

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    private static string? Failure(Action<GrainKvNodeOptions> change)
    {
        var options = new GrainKvNodeOptions();
        change(options);
        var result = new GrainKvNodeOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void TheDefaultsAreValid() => Assert.Null(Failure(_ => { }));

    [Fact]
    public void TheBoundsThemselvesAreValid() => Assert.Null(Failure(o =>
    {
        (o.NodeId, o.MaxEntrySize, o.RangeCount) = (new string('n', 128), 4 * 1024 * 1024, 1 << 20);
        (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1);
        (o.CommitInterval, o.ReadRepairChance, o.VirtualNodes, o.MaxHints) = (TimeSpan.FromMinutes(1), 1, Grains.Ring.RingOptions.MaxVirtualNodes, 0);
        o.VersionCacheEntries = 4 * 1024 * 1024;
    }));

    [Theory]
    [MemberData(nameof(BadCases))]
    public void ABadSettingIsNamed(string name)
    {
        var (change, named) = Bad[name];
        Assert.Contains(named, Failure(change), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dc1:2,dc2:1", "dc1", 3, null)]
    [InlineData("dc1:2,dc2:2", "dc1", 3, "adds up to 4, not to GrainKV:ReplicationFactor (3)")]
    [InlineData("dc1:2,dc2:1", "dc3", 3, "GrainKV:Datacenter 'dc3' is not one of the datacenters of GrainKV:DatacenterReplication (dc1, dc2)")]
    [InlineData("dc1:2,dc2:1", "", 3, "GrainKV:Datacenter '' is not one of the datacenters")]
    [InlineData("dc1=2", "dc1", 3, "GrainKV:DatacenterReplication: 'dc1=2'")]
    [InlineData("", "dc 1", 3, "GrainKvNodeOptions.Datacenter must not contain white space, ':' or ','")]
    [InlineData("", "dc:1", 3, "GrainKvNodeOptions.Datacenter must not contain white space, ':' or ','")]
    [InlineData("", "dc,1", 3, "GrainKvNodeOptions.Datacenter must not contain white space, ':' or ','")]
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
