// One in-process GrainKV silo (N = W = R = 1) with its RESP gateway on a free loopback port, configured by a
// closure; the gateway's idle clock and the node's expiry clock are FakeTimeProviders the test drives.

using GrainKV.Client;
using GrainKV.Grains.Expiry;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Resp;
using GrainKV.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace GrainKV.Tests.Resp;

public sealed class RespSilo : IAsyncDisposable
{
    private readonly TempDirectory _root = new();

    private RespSilo(Action<RespOptions> configure, bool portOverride)
    {
        Port = LocalPorts.PickFree(1)[0];
        if (portOverride)
        {
            var options = new RespOptions();
            configure(options);
            Port = options.Port;
        }

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.Services.AddSingleton(new RespClock(Clock));
            silo.Services.AddSingleton(new ExpiryClock(Expiry));
            silo.AddGrainKv(o =>
            {
                o.NodeId = options.SiloName;
                o.DataDirectory = Path.Combine(_root.Path, options.SiloName);
                (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1);
            });
            silo.AddGrainKvResp(o =>
            {
                o.Enabled = true;
                o.Port = Port;
                configure(o);
            });
        });
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>The gateway's idle clock.</summary>
    public FakeTimeProvider Clock { get; } = new();

    /// <summary>The node's expiry clock (starts at the real now; TTL tests move it forward).</summary>
    public FakeTimeProvider Expiry { get; } = new(DateTimeOffset.UtcNow);

    public int Port { get; }

    /// <summary>GrainKV's own client, for what Redis commands cannot do (writing siblings).</summary>
    public GrainKvClient Client { get; private set; } = null!;

    public RespGateway Gateway => Cluster.Silos[0].ServiceProvider.GetRequiredService<RespGateway>();

    /// <summary>Starts the silo; with <paramref name="portOverride"/> the port <paramref name="configure"/> sets is used
    /// instead of a free one.</summary>
    public static async Task<RespSilo> StartAsync(Action<RespOptions>? configure = null, bool portOverride = false)
    {
        var silo = new RespSilo(configure ?? (_ => { }), portOverride);
        try
        {
            await silo.Cluster.DeployAsync();
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        silo.Client = new GrainKvClient(silo.Cluster.Client, Options.Create(new GrainKvClientOptions()));
        var ring = silo.Cluster.Silos[0].ServiceProvider.GetRequiredService<RingService>();
        await Eventually.HoldsAsync(() => { ring.Refresh(); return ring.Current.Nodes.Values.Count(n => n.IsLive) == 1; }, TimeSpan.FromSeconds(60), "the node is on its ring");
        return silo;
    }

    /// <summary>A StackExchange.Redis connection to the gateway (no subscription connection: the gateway has no pub/sub).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", Port } },
            CommandMap = CommandMap.Create(["SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE"], available: false),
            AbortOnConnectFail = true,
            ConnectTimeout = 30_000,
            SyncTimeout = 30_000,
            AsyncTimeout = 30_000,
        };
        configure?.Invoke(options);
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    public async Task<RespSocket> OpenSocketAsync() => await RespSocket.ConnectAsync(Port);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _root.Dispose();
    }
}
