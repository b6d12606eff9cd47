// An in-process GrainKV cluster on Orleans' TestingHost: every silo is a GrainKV node whose node id is its
// silo name and whose data directory is <root>/<silo name>, so a restarted silo finds its data again.

using GrainKV.Client;
using GrainKV.Grains.Faults;
using GrainKV.Grains.Gossip;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

using GrainKV.Grains.Coordination;

namespace GrainKV.Tests.Infrastructure;

public sealed class GrainKvCluster : IAsyncDisposable
{
    private static readonly TimeSpan RingBound = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _directories = new(StringComparer.Ordinal);
    private int _crashes;

    private GrainKvCluster(short silos, Action<GrainKvNodeOptions>? configure, Action<InProcessTestSiloSpecificOptions, ISiloBuilder>? configureSilo)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        if (configureSilo is not null)
        {
            builder.ConfigureSilo(configureSilo);
        }

        builder.ConfigureSilo((options, silo) => silo.AddGrainKv(o =>
        {
            o.NodeId = options.SiloName;
            o.DataDirectory = DataDirectoryOf(options.SiloName);

            // Tests that make replicas diverge on purpose must not see them repaired behind their back: exchanges
            // run when a test asks (IAntiEntropyGrain.ExchangeNow) unless its configuration turns reminders on.
            o.AntiEntropy.AutomaticExchanges = false;
            configure?.Invoke(o);
        }));
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    public GrainKvClient Client { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string DataDirectoryOf(string siloName) => _directories.GetValueOrDefault(siloName) ?? Path.Combine(_root.Path, siloName);

    /// <summary>Restarts a silo on a copy of its data directory taken while it runs: what a crash (kill -9) leaves
    /// on disk. A Buffered log loses its unsynced tail and the shutdown is not a clean one. The silo that is stopped
    /// afterwards shuts down cleanly into the old directory, which is no longer used.</summary>
    public async Task CrashAndRestartAsync(string siloName)
    {
        var copy = Path.Combine(_root.Path, $"{siloName}-after-crash-{Interlocked.Increment(ref _crashes)}");
        CopyOnDiskState(DataDirectoryOf(siloName), copy);
        _directories[siloName] = copy;
        await Cluster.RestartSiloAsync(SiloNamed(siloName));
        await WaitForRingAsync(Cluster.Silos.Count, Cluster.Silos.Count);
        await WaitUntilReachableAsync(siloName);
    }

    /// <summary>Restarts a silo on a new, empty data directory: a node whose disk was lost and replaced.</summary>
    public async Task WipeAndRestartAsync(string siloName)
    {
        _directories[siloName] = Path.Combine(_root.Path, $"{siloName}-wiped-{Interlocked.Increment(ref _crashes)}");
        await Cluster.RestartSiloAsync(SiloNamed(siloName));
        await WaitForRingAsync(Cluster.Silos.Count, Cluster.Silos.Count);
        await WaitUntilReachableAsync(siloName);
    }

    /// <summary>Waits until every silo's replica calls reach the node (a silo learns a restarted node's new
    /// address a little after the ring shows it).</summary>
    public Task WaitUntilReachableAsync(string nodeId) => Eventually.HoldsAsync(
        async () =>
        {
            try
            {
                foreach (var silo in Cluster.Silos.Where(s => s.IsActive))
                {
                    await Service<ReplicaRouter>(silo).Read(nodeId, 0, [0]);
                }

                return true;
            }
            catch (Exception ex) when (ex is GrainKvException or OrleansException or TimeoutException)
            {
                return false;
            }
        },
        RingBound,
        $"every silo reaches node {nodeId}'s replicas");

    /// <summary>Starts <paramref name="silos"/> silos and waits until every silo's ring holds all of them, live.
    /// <paramref name="configureSilo"/> adds to each silo before GrainKV (e.g. its HTTP endpoint, or test services such as clocks).</summary>
    public static async Task<GrainKvCluster> StartAsync(
        short silos = 1, Action<GrainKvNodeOptions>? configure = null, Action<InProcessTestSiloSpecificOptions, ISiloBuilder>? configureSilo = null)
    {
        var cluster = new GrainKvCluster(silos, configure, configureSilo);
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

    /// <summary>Cuts <paramref name="from"/> off from <paramref name="to"/>: its gossip to that node is dropped and its replica
    /// calls there fail. Returns what heals the cut.</summary>
    public Action CutOff(InProcessSiloHandle from, InProcessSiloHandle to)
    {
        var gossip = Service<GossipFaults>(from);
        var gossipRule = gossip.Drop(to.Name);
        var replicas = Service<ReplicaFaults>(from);
        var replicaRule = FaultRule.Fail(to.Name);
        replicas.Add(replicaRule);
        return () =>
        {
            gossip.Remove(gossipRule);
            replicas.Remove(replicaRule);
        };
    }

    /// <summary>Merges <paramref name="set"/> into the replica of <paramref name="key"/> on each of <paramref name="nodes"/>
    /// directly (no coordinator), to make replicas differ on purpose.</summary>
    public async Task ApplyOnNodesAsync(int range, byte[] key, StoredVersion[] set, params string[] nodes)
    {
        foreach (var node in nodes)
        {
            await Service<LocalReplicas>(SiloNamed(node)).ApplyAsync(range, key, set);
        }
    }

    /// <summary>What <paramref name="node"/>'s replica holds for <paramref name="key"/>.</summary>
    public Task<StoredVersion[]> ReplicaOnAsync(string node, int range, byte[] key) =>
        Service<LocalReplicas>(SiloNamed(node)).ReadAsync(range, key).AsTask();

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

    private static void CopyOnDiskState(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            // The engine's lock file is held exclusively by the running engine; a start creates it anew.
            if (Path.GetFileName(file) != "LOCK")
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            CopyOnDiskState(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _root.Dispose();
    }
}
