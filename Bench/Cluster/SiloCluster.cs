// A GrainKV cluster of separate silo processes on loopback: with development membership the first silo is the
// primary and the others join it; with Redis membership every silo is equal and any of them can be SIGKILLed and
// restarted on its data directory (KillAsync, RestartAsync). The cluster is ready when every silo printed "is
// ready" and writes at the cluster's quorum succeed across many ranges (every silo's ring has every node).

using System.Globalization;
using GrainKV.Client;

namespace GrainKV.Bench.Cluster;

internal sealed class SiloCluster : IAsyncDisposable
{
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(60);
    private readonly List<ServerProcess> _silos = [];
    private readonly List<List<string>> _arguments = [];
    private Func<int, List<string>> _launch = _ => throw new InvalidOperationException("The cluster was not started.");

    private SiloCluster(IReadOnlyList<string> gateways) => Gateways = gateways;

    public IReadOnlyList<string> Gateways { get; }

    /// <summary>Development membership: n1 is the primary the others join.</summary>
    public static Task<SiloCluster> StartAsync(ClusterBenchOptions options, string dataRoot, CancellationToken cancellationToken) =>
        StartAsync(
            options.SiloDll, options.Silos, options.BasePort, options.Durability, options.CommitIntervalMs, redisConnectionString: null, dataRoot, cancellationToken);

    /// <summary>Starts one silo at N=1/W=1/R=1 (ports past those of the three-silo cluster).</summary>
    public static Task<SiloCluster> StartOneAsync(ClusterBenchOptions options, string dataRoot, CancellationToken cancellationToken) =>
        StartAsync(
            options.SiloDll, 1, options.BasePort + 10, options.Durability, options.CommitIntervalMs, redisConnectionString: null, Path.Combine(dataRoot, "one-silo"),
            cancellationToken, ["--GrainKV:ReplicationFactor=1", "--GrainKV:WriteQuorum=1", "--GrainKV:ReadQuorum=1"]);

    /// <summary>Starts <paramref name="silos"/> silos at N=3/W=2/R=2: with Redis membership when
    /// <paramref name="redisConnectionString"/> is set, else with n1 as the development membership primary.
    /// <paramref name="extraArguments"/> go on every silo's command line (later ones win).</summary>
    public static async Task<SiloCluster> StartAsync(
        string? siloDll, int silos, int basePort, string durability, int? commitIntervalMs, string? redisConnectionString, string dataRoot,
        CancellationToken cancellationToken, IReadOnlyList<string>? extraArguments = null)
    {
        var dll = siloDll ?? FindSiloDll();
        var gateways = Enumerable.Range(0, silos).Select(i => $"127.0.0.1:{basePort + 100 + i}").ToList();
        var cluster = new SiloCluster(gateways);
        cluster._launch = i =>
        {
            var node = NodeId(i);
            var args = new List<string>
            {
                dll,
                $"--GrainKV:NodeId={node}",
                $"--GrainKV:DataDirectory={Path.Combine(dataRoot, node)}",
                $"--GrainKV:SiloPort={I(basePort + i)}",
                $"--GrainKV:GatewayPort={I(basePort + 100 + i)}",
                $"--GrainKV:Http:Port={I(basePort + 200 + i)}",
                "--GrainKV:ReplicationFactor=3",
                "--GrainKV:WriteQuorum=2",
                "--GrainKV:ReadQuorum=2",
                $"--GrainKV:Durability={durability}",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:GrainKV.Silo=Information",
            };
            if (commitIntervalMs is { } commitMs)
            {
                args.Add($"--GrainKV:CommitInterval={TimeSpan.FromMilliseconds(commitMs).ToString("c", CultureInfo.InvariantCulture)}");
            }

            if (redisConnectionString is not null)
            {
                args.AddRange(["--GrainKV:Clustering=Redis", $"--GrainKV:RedisConnectionString={redisConnectionString}"]);
            }
            else if (i > 0)
            {
                args.Add($"--GrainKV:PrimarySiloPort={I(basePort)}");
            }

            args.AddRange(extraArguments ?? []);
            return args;
        };
        try
        {
            for (var i = 0; i < silos; i++)
            {
                var args = cluster._launch(i);
                cluster._arguments.Add(args);
                cluster._silos.Add(ServerProcess.Start($"silo {NodeId(i)}", "dotnet", args));
                if (i == 0)
                {
                    await cluster._silos[0].WaitForLineAsync("is ready", ReadyBound, cancellationToken);
                }
            }

            foreach (var silo in cluster._silos.Skip(1))
            {
                await silo.WaitForLineAsync("is ready", ReadyBound, cancellationToken);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more silo (the next node id and ports, the same settings) and waits until it is ready;
    /// returns its node id. Its gateway is "127.0.0.1:(base port + 100 + its index)".</summary>
    public async Task<string> AddSiloAsync(CancellationToken cancellationToken)
    {
        var index = _silos.Count;
        var args = _launch(index);
        _arguments.Add(args);
        _silos.Add(ServerProcess.Start($"silo {NodeId(index)}", "dotnet", args));
        await _silos[index].WaitForLineAsync("is ready", ReadyBound, cancellationToken);
        return NodeId(index);
    }

    public static string NodeId(int silo) => $"n{silo + 1}";

    /// <summary>SIGKILLs silo <paramref name="silo"/> and waits until it has exited.</summary>
    public ValueTask KillAsync(int silo) => _silos[silo].DisposeAsync();

    /// <summary>Starts silo <paramref name="silo"/> again with its arguments (its data directory and ports) and waits
    /// until it is ready.</summary>
    public async Task RestartAsync(int silo, CancellationToken cancellationToken)
    {
        _silos[silo] = ServerProcess.Start($"silo {NodeId(silo)}", "dotnet", _arguments[silo]);
        await _silos[silo].WaitForLineAsync("is ready", ReadyBound, cancellationToken);
    }

    /// <summary>Retries quorum writes over many ranges until all succeed (each silo sees the full ring), up to a minute.</summary>
    public static async Task WaitUntilWritableAsync(GrainKvClient client, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var value = new byte[8];
        while (true)
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, 256).Select(i => client.PutAsync(
                    System.Text.Encoding.UTF8.GetBytes($"probe{i}"), value, null, null, cancellationToken)));
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    private static string FindSiloDll()
    {
        const string relative = "Silo/bin/Release/net10.0/GrainKV.Silo.dll";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new ArgumentException($"{relative} not found above {AppContext.BaseDirectory}; run `dotnet build Silo -c Release` or pass --silo-dll.");
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The processor time of every server process so far.</summary>
    public TimeSpan ProcessorTime => _silos.Aggregate(TimeSpan.Zero, (sum, server) => sum + server.ProcessorTime);

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }
}
