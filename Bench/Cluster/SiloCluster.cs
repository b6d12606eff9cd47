// A GrainKV cluster of separate silo processes on loopback: the first silo is the membership primary, the
// others join it; the cluster is ready when every silo printed "is ready" and writes at the cluster's
// quorum succeed across many ranges (every silo's ring has every node).

using System.Globalization;
using GrainKV.Client;

namespace GrainKV.Bench.Cluster;

internal sealed class SiloCluster : IAsyncDisposable
{
    private readonly List<ServerProcess> _silos = [];

    private SiloCluster(IReadOnlyList<string> gateways) => Gateways = gateways;

    public IReadOnlyList<string> Gateways { get; }

    public static async Task<SiloCluster> StartAsync(ClusterBenchOptions options, string dataRoot, CancellationToken cancellationToken)
    {
        var dll = options.SiloDll ?? FindSiloDll();
        var gateways = Enumerable.Range(0, options.Silos).Select(i => $"127.0.0.1:{options.BasePort + 100 + i}").ToList();
        var cluster = new SiloCluster(gateways);
        try
        {
            for (var i = 0; i < options.Silos; i++)
            {
                var node = $"n{i + 1}";
                var args = new List<string>
                {
                    dll,
                    $"--GrainKV:NodeId={node}",
                    $"--GrainKV:DataDirectory={Path.Combine(dataRoot, node)}",
                    $"--GrainKV:SiloPort={I(options.BasePort + i)}",
                    $"--GrainKV:GatewayPort={I(options.BasePort + 100 + i)}",
                    "--GrainKV:ReplicationFactor=3",
                    "--GrainKV:WriteQuorum=2",
                    "--GrainKV:ReadQuorum=2",
                    $"--GrainKV:Durability={options.Durability}",
                    "--Logging:LogLevel:Default=Warning",
                    "--Logging:LogLevel:GrainKV.Silo=Information",
                };
                if (options.CommitIntervalMs is { } commitMs)
                {
                    args.Add($"--GrainKV:CommitInterval={TimeSpan.FromMilliseconds(commitMs).ToString("c", CultureInfo.InvariantCulture)}");
                }

                if (i > 0)
                {
                    args.Add($"--GrainKV:PrimarySiloPort={I(options.BasePort)}");
                }

                cluster._silos.Add(ServerProcess.Start($"silo {node}", "dotnet", args));
                if (i == 0)
                {
                    await cluster._silos[0].WaitForLineAsync("is ready", TimeSpan.FromSeconds(60), cancellationToken);
                }
            }

            foreach (var silo in cluster._silos.Skip(1))
            {
                await silo.WaitForLineAsync("is ready", TimeSpan.FromSeconds(60), cancellationToken);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
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

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }
}
