// The GrainKV silo host: `dotnet run --project Silo` starts a single-node store on localhost with data
// under ./data. Configuration comes from appsettings.json, environment variables (GrainKV__DataDirectory)
// and the command line (--GrainKV:DataDirectory=...), later sources winning. GrainKV:Clustering chooses the
// membership store: Localhost (development, the default) or Redis (GrainKV:RedisConnectionString; every silo equal).
// GrainKV:Tls turns on mutually authenticated TLS (off by default); GrainKV:Hosting=Kubernetes adapts it to a pod.
// The silo serves /healthz, /metrics and its dashboard on GrainKV:Http:Port (default 8080; GrainKV:Http:Enabled=false: none).

using System.Net;
using GrainKV.Grains.Health;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Http;
using GrainKV.Grains.Resp;
using GrainKV.Security;
using GrainKV.Silo.Security;
using GrainKV.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using StackExchange.Redis;

// Socket completions run inline on the socket engine's threads instead of being queued to the thread pool
// first: Orleans hands every received message on to its own scheduler anyway, so that queue hop only adds a
// thread switch per message (docs/BENCHMARKS.md: about +40 % throughput on the 3-silo benchmark). The runtime
// reads the variable when the first socket is created, so this must come before anything opens one; an
// explicit setting in the environment wins.
const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

// While a node is down, Orleans' placement retries (Polly) log every attempt and every failed call, and Orleans
// logs every message it could not address, each with a stack trace: about 70 KB per second on each surviving silo
// under a light load (docs/OPERATIONS.md). The caller gets the error anyway, so these categories are quiet by
// default; a Logging:LogLevel:<category> setting in any configuration source still wins.
foreach (var (category, level) in new[] { ("Polly", LogLevel.Critical), ("Orleans.Messaging", LogLevel.Critical) })
{
    if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
    {
        builder.Logging.AddFilter(category, level);
    }
}
var section = builder.Configuration.GetSection(GrainKvNodeOptions.SectionName);
var hostOptions = section.Get<SiloHostOptions>() ?? new SiloHostOptions();
var nodeOptions = section.Get<GrainKvNodeOptions>() ?? new GrainKvNodeOptions();
var tlsOptions = builder.Configuration.GetSection(ClusterTlsOptions.SectionName).Get<ClusterTlsOptions>() ?? new ClusterTlsOptions();
ClusterCredentials? credentials = null;
ILogger? tlsLogger = null;   // set once the host is built
string dataDirectory;
ConfigurationOptions? redis = null;
IPAddress advertised = IPAddress.Loopback;
try
{
    hostOptions.Validate();
    if (hostOptions.Clustering == ClusteringMode.Redis)
    {
        redis = ParseRedis(hostOptions.RedisConnectionString!);
        advertised = hostOptions.ResolveAdvertisedAddress();
    }

    tlsOptions.Validate();
    credentials = tlsOptions.Enabled ? tlsOptions.Load() : null;
    ApplyHeapLimit(hostOptions.HeapLimitMb, nodeOptions);

    dataDirectory = Path.GetFullPath(nodeOptions.DataDirectory);
}
catch (Exception ex) when (ex is OptionsValidationException or ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or TlsConfigurationException)
{
    Console.Error.WriteLine($"grainkv-silo: invalid configuration: {ex.Message}");
    return 2;
}

builder.UseOrleans(silo =>
{
    // The node id, unless configured or already persisted in the data directory (GrainKV resolves it: NodeIdentity,
    // after every Configure, so also after Kubernetes hosting, which names silos after their pods).
    silo.Configure<SiloOptions>(o => o.SiloName = Environment.MachineName.ToLowerInvariant());

    // Orleans declares a silo dead after NumMissedProbesLimit missed probes of ProbeTimeout each; until then, calls
    // to grains whose directory entries the dead silo held fail (measured: 14 s of intermittent failures after a
    // SIGKILL with the defaults, 3 x 5 s). GrainKV's gossip marks the node down sooner, but cannot repair Orleans'
    // directory, so the silo host probes faster: 2 x 3 s. Any Orleans:ClusterMembership setting overrides this.
    silo.Configure<ClusterMembershipOptions>(o =>
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(3);
        o.NumMissedProbesLimit = 2;
    });
    silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:ClusterMembership"));
    switch (hostOptions.Clustering)
    {
        case ClusteringMode.Localhost:
            var primary = hostOptions.PrimarySiloPort is { } port ? new IPEndPoint(IPAddress.Loopback, port) : null;
            silo.UseLocalhostClustering(hostOptions.SiloPort, hostOptions.GatewayPort, primary, hostOptions.ServiceId, hostOptions.ClusterId);
            break;
        case ClusteringMode.Redis:
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis!);

            // Anti-entropy's per-range reminders live in the same Redis (registered before AddGrainKv, which otherwise
            // uses the in-memory reminder service).
            silo.UseRedisReminderService(o => o.ConfigurationOptions = redis!);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = hostOptions.ClusterId;
                o.ServiceId = hostOptions.ServiceId;
            });
            silo.Configure<EndpointOptions>(o =>
            {
                // In a pod, Kubernetes hosting advertises the pod's IP unless an address is set explicitly.
                if (hostOptions.Hosting != HostingMode.Kubernetes || !string.IsNullOrWhiteSpace(hostOptions.AdvertisedAddress))
                {
                    o.AdvertisedIPAddress = advertised;
                }

                o.SiloPort = hostOptions.SiloPort;
                o.GatewayPort = hostOptions.GatewayPort;
            });
            break;
    }

    if (hostOptions.Hosting == HostingMode.Kubernetes)
    {
        silo.UseKubernetesHosting();
    }

    if (credentials is not null)
    {
        // Silo-to-silo and gateway connections, mutually authenticated.
        SiloTls.Use(silo, credentials, tlsOptions.HandshakeTimeout, () => tlsLogger, TimeProvider.System);
    }

    if (hostOptions.ListenOnAnyAddress)
    {
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, hostOptions.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, hostOptions.GatewayPort);
        });
    }

    silo.AddGrainKv(o =>
    {
        section.Bind(o);
        o.DataDirectory = dataDirectory;
    });
    silo.AddGrainKvResp(o => builder.Configuration.GetSection(RespOptions.SectionName).Bind(o)); // off unless GrainKV:Resp:Enabled=true

    // /healthz, /metrics and the dashboards on GrainKV:Http:Port (8080); on every interface where the silo listens on all.
    var http = builder.Configuration.GetSection(HttpEndpointOptions.SectionName);
    silo.AddGrainKvHttp(o =>
    {
        if (hostOptions.ListenOnAnyAddress)
        {
            o.ListenAddress = "any";
        }

        http.Bind(o);
    });
});

using var host = builder.Build();
string nodeId;
try
{
    // Every options type validated at start-up (node, gossip, RESP, HTTP) is checked here, all at once: one line per
    // options type with a problem, each listing all of its problems.
    host.Services.GetService<IStartupValidator>()?.Validate();
    nodeId = host.Services.GetRequiredService<NodeIdentity>().NodeId;
}
catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
{
    // Distinct: Orleans options configured from the node options (silo name, metadata) fail with the node options' own exception.
    foreach (var message in ex.InnerExceptions.Select(e => e.Message).Distinct())
    {
        Console.Error.WriteLine($"grainkv-silo: invalid configuration: {message}");
    }

    return 2;
}
catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"grainkv-silo: invalid configuration: {ex.Message}");
    return 2;
}

var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GrainKV.Silo");
tlsLogger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GrainKV.Silo.Tls");
var httpEndpoint = host.Services.GetRequiredService<HttpEndpoint>();
var readiness = host.Services.GetRequiredService<NodeReadiness>();
lifetime.ApplicationStarted.Register(() => _ = AnnounceReadyAsync());
try
{
    await host.RunAsync();
    return 0;
}
catch (Exception ex) when (FindRedisError(ex) is { } redisError)
{
    Console.Error.WriteLine($"grainkv-silo: the Redis membership store at {hostOptions.RedisConnectionString} is unreachable: {redisError.Message}");
    return 1;
}
catch (Exception ex) when (Find<Orleans.Runtime.MembershipService.OrleansClusterConnectivityCheckFailedException>(ex) is { } unreachable)
{
    Console.Error.WriteLine(
        $"grainkv-silo: could not join the cluster: {unreachable.Message}"
        + (tlsOptions.Enabled
            ? " (TLS is on: the other silos must run TLS with certificates issued by the same authority)"
            : " (TLS is off: if the cluster runs TLS, this silo needs GrainKV:Tls with the cluster's certificates)"));
    return 1;
}
catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or IOException or GrainKV.Storage.StorageException)
{
    Console.Error.WriteLine($"grainkv-silo: {ex.Message}");
    return 1;
}

// The ready line means what /healthz means: the node is on its ring, live there, and serves its ranges (a first node
// puts itself on the ring and a joining node streams its ranges only after the silo started). Until then the line
// says why not, so a script that waits for "is ready" never sends a request the node would refuse.
async Task AnnounceReadyAsync()
{
    if (readiness.Check() is { Ready: false } report)
    {
        SiloLog.NotYetReady(logger, nodeId, string.Join("; ", report.Reasons));
    }

    try
    {
        await readiness.WhenReadyAsync(lifetime.ApplicationStopping);
        SiloLog.Ready(logger, nodeId, hostOptions.GatewayPort, httpEndpoint.Port, dataDirectory);
    }
    catch (OperationCanceledException)
    {
    }
}

// GrainKV:HeapLimitMb becomes the GC's heap hard limit before anything large is allocated. The limit must hold the
// engine's memtables and block cache (StorageOptions.MemTableAndCacheBytes), plus headroom.
static void ApplyHeapLimit(int? limitMb, GrainKvNodeOptions node)
{
    if (limitMb is not { } limit)
    {
        return;
    }

    var engine = new GrainKV.Storage.StorageOptions { MemTableSize = node.MemTableSize, BlockCacheSize = node.BlockCacheSize };
    var engineMb = engine.MemTableAndCacheBytes >> 20;
    if (limit < engineMb + SiloHostOptions.HeapHeadroomMb)
    {
        throw new ArgumentException(
            $"GrainKV:HeapLimitMb ({limit} MiB) is too small: the engine's memtables and block cache may hold {engineMb} MiB " +
            $"((1 + {engine.MaxImmutableMemTables} waiting to flush) × MemTableSize {node.MemTableSize >> 20} MiB + BlockCacheSize {node.BlockCacheSize >> 20} MiB), " +
            $"and the silo needs {SiloHostOptions.HeapHeadroomMb} MiB more: at least {engineMb + SiloHostOptions.HeapHeadroomMb}.");
    }

    AppContext.SetData("GCHeapHardLimit", (ulong)limit << 20);
    GC.RefreshMemoryLimit();
}

static ConfigurationOptions ParseRedis(string connectionString)
{
    try
    {
        return ConfigurationOptions.Parse(connectionString);
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
    {
        throw new ArgumentException($"GrainKV:RedisConnectionString '{connectionString}' is not a valid Redis connection string: {ex.Message}");
    }
}

// A start-up failure against Redis surfaces wrapped (in a lifecycle or aggregate exception); find the Redis error inside.
static Exception? FindRedisError(Exception? ex) => ex switch
{
    null => null,
    RedisException or Orleans.Clustering.Redis.RedisClusteringException => ex,
    AggregateException aggregate => aggregate.InnerExceptions.Select(FindRedisError).FirstOrDefault(e => e is not null),
    _ => FindRedisError(ex.InnerException),
};

// A start-up failure surfaces wrapped (in a lifecycle or aggregate exception); find the one of type T inside.
static T? Find<T>(Exception? ex)
    where T : Exception => ex switch
{
    null => null,
    T found => found,
    AggregateException aggregate => aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null),
    _ => Find<T>(ex.InnerException),
};
