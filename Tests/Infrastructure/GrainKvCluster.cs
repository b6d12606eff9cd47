// An in-process GrainKV cluster on Orleans' TestingHost: every silo is a GrainKV node whose node id is its
// silo name and whose data directory is <root>/<silo name>, so a restarted silo finds its data again.

using GrainKV.Client;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace GrainKV.Tests.Infrastructure;

public sealed class GrainKvCluster : IAsyncDisposable
{
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

    public static async Task<GrainKvCluster> StartAsync(short silos = 1, Action<GrainKvNodeOptions>? configure = null)
    {
        var cluster = new GrainKvCluster(silos, configure);
        await cluster.Cluster.DeployAsync();
        cluster.Client = cluster.CreateClient(_ => { });
        return cluster;
    }

    public GrainKvClient CreateClient(Action<GrainKvClientOptions> configure)
    {
        var options = new GrainKvClientOptions();
        configure(options);
        return new GrainKvClient(Cluster.Client, Options.Create(options));
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _root.Dispose();
    }
}
