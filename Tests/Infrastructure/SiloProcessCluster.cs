// A cluster of real silo processes on one machine, with development (Localhost) clustering, where node 0 ("n1")
// is the primary that the others join, or with Redis membership, where every node is equal. Each node keeps its
// data directory and its silo and gateway ports across SIGKILLs and restarts; every process started here is
// killed when the cluster is disposed.

namespace GrainKV.Tests.Infrastructure;

public sealed class SiloProcessCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly IReadOnlyList<string> _nodeArguments;
    private readonly int[] _siloPorts;
    private readonly int[] _gatewayPorts;
    private readonly SiloProcess?[] _running;
    private readonly List<(int Node, SiloProcess Silo)> _started = [];
    private readonly bool _hasPrimary;

    private SiloProcessCluster(int nodes, IReadOnlyList<string> nodeArguments, bool hasPrimary)
    {
        _nodeArguments = nodeArguments;
        _hasPrimary = hasPrimary;
        var ports = LocalPorts.PickFree(2 * nodes);
        _siloPorts = ports[..nodes];
        _gatewayPorts = ports[nodes..];
        _running = new SiloProcess?[nodes];
    }

    public int Count => _running.Length;

    /// <summary>"host:port" of every node's gateway, running or not.</summary>
    public List<string> Gateways => [.. _gatewayPorts.Select(p => $"127.0.0.1:{p}")];

    public static string NodeId(int node) => $"n{node + 1}";

    /// <summary>Starts <paramref name="nodes"/> silos, each with <paramref name="nodeArguments"/> on its command line,
    /// and returns once every one has printed its ready line.</summary>
    public static async Task<SiloProcessCluster> StartAsync(int nodes, IReadOnlyList<string> nodeArguments)
    {
        var cluster = new SiloProcessCluster(nodes, nodeArguments, hasPrimary: true);
        try
        {
            await cluster.StartNodeAsync(0);
            await Task.WhenAll(Enumerable.Range(1, nodes - 1).Select(cluster.StartNodeAsync));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <paramref name="nodes"/> equal silos with Redis membership at <paramref name="redisConnectionString"/>
    /// (and <paramref name="nodeArguments"/>), all at once; returns once every one has printed its ready line. With
    /// <paramref name="running"/>, only the first that many start now (<see cref="RestartAsync"/> starts the others).</summary>
    public static async Task<SiloProcessCluster> StartWithRedisAsync(
        int nodes, IReadOnlyList<string> nodeArguments, string redisConnectionString, int? running = null)
    {
        var cluster = new SiloProcessCluster(
            nodes,
            ["--GrainKV:Clustering=Redis", $"--GrainKV:RedisConnectionString={redisConnectionString}", .. nodeArguments],
            hasPrimary: false);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, running ?? nodes).Select(cluster.StartNodeAsync));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILLs node <paramref name="node"/> and waits until the process is gone.</summary>
    public async Task KillAsync(int node)
    {
        var silo = _running[node] ?? throw new InvalidOperationException($"{NodeId(node)} is not running.");
        _running[node] = null;
        await silo.KillAsync();
    }

    /// <summary>Starts node <paramref name="node"/> (again) on its data directory and ports; returns when it serves its
    /// ranges, or with <paramref name="untilServing"/> false as soon as it started (a joining node streams first).</summary>
    public Task RestartAsync(int node, bool untilServing = true) => _running[node] is null
        ? StartNodeAsync(node, untilServing)
        : throw new InvalidOperationException($"{NodeId(node)} is still running.");

    /// <summary>Everything every incarnation of <paramref name="node"/> printed so far.</summary>
    public string OutputOf(int node)
    {
        lock (_started)
        {
            return string.Join("\n--- restart ---\n", _started.Where(s => s.Node == node).Select(s => s.Silo.Output));
        }
    }

    private Task StartNodeAsync(int node) => StartNodeAsync(node, untilServing: true);

    private async Task StartNodeAsync(int node, bool untilServing)
    {
        foreach (var port in new[] { _siloPorts[node], _gatewayPorts[node] })
        {
            if (!LocalPorts.IsFree(port))
            {
                throw new InvalidOperationException($"Port {port} of {NodeId(node)} is taken by another process.");
            }
        }

        var dataDirectory = Path.Combine(_root.Path, NodeId(node));
        Directory.CreateDirectory(dataDirectory);
        IReadOnlyList<string> arguments = node == 0 || !_hasPrimary ? _nodeArguments : [.. _nodeArguments, $"--GrainKV:PrimarySiloPort={_siloPorts[0]}"];
        var silo = await SiloProcess.StartAsync(dataDirectory, NodeId(node), _gatewayPorts[node], _siloPorts[node], arguments, untilServing);
        lock (_started)
        {
            _started.Add((node, silo));
        }

        _running[node] = silo;
    }

    public async ValueTask DisposeAsync()
    {
        List<SiloProcess> started;
        lock (_started)
        {
            started = [.. _started.Select(s => s.Silo)];
        }

        // Followers first, the primary (if any) last; every process is killed even if another kill fails.
        var errors = new List<Exception>();
        foreach (var silo in Enumerable.Reverse(started))
        {
            try
            {
                await silo.DisposeAsync();
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        }

        _root.Dispose();
        if (errors.Count > 0)
        {
            throw new AggregateException("Could not stop every silo process.", errors);
        }
    }
}
