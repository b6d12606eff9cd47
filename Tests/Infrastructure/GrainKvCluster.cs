// An in-process GrainKV cluster on Orleans' TestingHost: every silo is a GrainKV node whose node id is its
// silo name and whose data directory is <root>/<silo name>, so a restarted silo finds its data again.

using GrainKV.Client;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace GrainKV.Tests.Infrastructure;

public sealed class GrainKvCluster : IAsyncDisposable
{
    private static readonly TimeSpan RingBound = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root = new();

    private GrainKvCluster(short silos, Action<GrainKvNodeOptions>? configure)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((options, silo) => silo.AddGrainKv(o =>
        {
            o.NodeId = options.SiloName;
            o.DataDirectory = DataDirectoryOf(options.SiloName);
            configure?.Invoke(o);
        }));
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    public GrainKvClient Client { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string DataDirectoryOf(string siloName) => Path.Combine(_root.Path, siloName);

    /// <summary>Starts <paramref name="silos"/> silos and waits until every silo's ring holds all of them, live.</summary>
    public static async Task<GrainKvCluster> StartAsync(short silos = 1, Action<GrainKvNodeOptions>? configure = null)
    {
        var cluster = new GrainKvCluster(silos, configure);
        await cluster.Cluster.DeployAsync();
        cluster.Client = cluster.CreateClient(_ => { });
        await cluster.WaitForRingAsync(silos, silos);
        return cluster;
    }

    public GrainKvClient CreateClient(Action<GrainKvClientOptions> configure)
    {
        var options = new GrainKvClientOptions();
        configure(options);
        return new GrainKvClient(Cluster.Client, Options.Create(options));
    }

    public T Service<T>(InProcessSiloHandle silo)
        where T : notnull => silo.ServiceProvider.GetRequiredService<T>();

    public InProcessSiloHandle SiloNamed(string name) => Cluster.Silos.Single(s => s.Name == name);

    /// <summary>Waits until every running silo sees <paramref name="nodes"/> ring nodes of which <paramref name="live"/> are live.</summary>
    public Task WaitForRingAsync(int nodes, int live) => Eventually.HoldsAsync(
        () => Cluster.Silos.Where(s => s.IsActive).All(s =>
        {
            var ring = Service<RingService>(s);
            ring.Refresh();
            return ring.Current.Nodes.Count == nodes && ring.Current.Nodes.Values.Count(n => n.IsLive) == live;
        }),
        RingBound,
        $"every silo sees {nodes} ring nodes, {live} live");

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _root.Dispose();
    }
}
