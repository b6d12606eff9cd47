// The in-process clusters that test classes share (one per class, xUnit class fixtures), each with the node
// options its tests need.

using GrainKV.Storage;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Cluster;

public sealed class CapModeClusterFixture : IAsyncLifetime
{
    public GrainKvCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(4, o =>
    {
        o.HintDeliveryInterval = TimeSpan.FromHours(1);
        o.RequestTimeout = TimeSpan.FromSeconds(3);
        o.ReadRepairChance = 0;
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class NoReadRepairClusterFixture : IAsyncLifetime
{
    public GrainKvCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(3, o =>
    {
        o.ReadRepairChance = 0;
        o.SpeculativeReadDelay = TimeSpan.FromMinutes(1);
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class WriteSafetyClusterFixture : IAsyncLifetime
{
    public const int CopyLimit = 4;

    public GrainKvCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(3, o =>
    {
        o.Durability = LogDurability.Buffered;
        o.CommitInterval = TimeSpan.FromMinutes(1);
        o.HintDeliveryInterval = TimeSpan.FromHours(1);
        o.MaxClockEntries = 2;
        o.MaxCopiesInFlightPerNode = CopyLimit;
        o.RequestTimeout = TimeSpan.FromSeconds(3);
        o.ReadRepairChance = 0;
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class ThreeNodeClusterFixture : IAsyncLifetime
{
    public GrainKvCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>One node, N = W = R = 1.</summary>
public sealed class SingleNodeClusterFixture : IAsyncLifetime
{
    public GrainKvCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1));

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
