// redis-server processes the benchmark starts on loopback, without persistence (--save '' --appendonly no):
// a single node, or a primary with replicas (--replicaof), ready when the primary reports every replica
// connected and in sync.

using System.Globalization;

namespace GrainKV.Bench.Cluster;

internal sealed class RedisServers : IAsyncDisposable
{
    private readonly List<ServerProcess> _servers = [];

    private RedisServers(int primaryPort) => PrimaryPort = primaryPort;

    public int PrimaryPort { get; }

    public static async Task<RedisServers> StartAsync(string redisServer, int port, int replicas, string dataRoot, CancellationToken cancellationToken)
    {
        var servers = new RedisServers(port);
        try
        {
            for (var i = 0; i <= replicas; i++)
            {
                var dir = Path.Combine(dataRoot, $"redis-{port + i}");
                Directory.CreateDirectory(dir);
                var args = new List<string>
                {
                    "--port", I(port + i), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--dir", dir, "--logfile", "",
                };
                if (i > 0)
                {
                    args.AddRange(["--replicaof", "127.0.0.1", I(port)]);
                }

                var server = ServerProcess.Start($"redis-server :{port + i}", redisServer, args);
                servers._servers.Add(server);
                await server.WaitForLineAsync("Ready to accept connections", TimeSpan.FromSeconds(20), cancellationToken);
            }

            foreach (var replica in servers._servers.Skip(1))
            {
                await replica.WaitForLineAsync("sync: Finished with success", TimeSpan.FromSeconds(30), cancellationToken);
            }

            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The processor time of every server process so far.</summary>
    public TimeSpan ProcessorTime => _servers.Aggregate(TimeSpan.Zero, (sum, server) => sum + server.ProcessorTime);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
