// Three in-process nodes, each serving its HTTP endpoint on a free port (GrainKV:Http:Port = 0).

using GrainKV.Grains.Http;
using GrainKV.Tests.Infrastructure;
using Orleans.TestingHost;

namespace GrainKV.Tests.Http;

public sealed class HttpClusterFixture : IAsyncLifetime
{
    public GrainKvCluster Cluster { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Base address of <paramref name="silo"/>'s HTTP endpoint.</summary>
    public Uri BaseOf(InProcessSiloHandle silo) => new($"http://127.0.0.1:{Cluster.Service<HttpEndpoint>(silo).Port}/");

    public async Task InitializeAsync() => Cluster = await GrainKvCluster.StartAsync(
        3, configureSilo: (_, silo) => silo.AddGrainKvHttp(o => o.Port = 0));

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Cluster.DisposeAsync();
    }
}
