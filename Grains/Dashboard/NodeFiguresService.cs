// Each node's figures, reachable from the node that serves the dashboard: one grain service per silo
// (addressed by the silo's address, like the replica service), answering from this node's request totals,
// engine and hint store. Dashboard polls only; never on a request's path.

using System.Collections.Concurrent;
using System.Diagnostics;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Metrics;
using GrainKV.Grains.Replicas;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace GrainKV.Grains.Dashboard;

/// <summary>A node's dashboard figures.</summary>
[Alias("grainkv.INodeFiguresService")]
public interface INodeFiguresService : IGrainService
{
    [Alias("GetFigures")]
    Task<NodeFigures> GetFigures(CancellationToken cancellationToken = default);
}

/// <summary>Reads this node's figures.</summary>
public sealed class NodeFiguresSource(NodeIdentity node, RequestMetrics requests, LocalStore store, HintStore hints, GrainKvClock clock)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public NodeFigures Read() => new(
        node.NodeId,
        clock.Time.GetUtcNow(),
        Stopwatch.GetElapsedTime(_started).TotalSeconds,
        requests.Totals(RequestOperation.Get),
        requests.Totals(RequestOperation.Put),
        requests.Totals(RequestOperation.Delete),
        store.Statistics is { } statistics ? EngineFigures.From(statistics) : null,
        store.IsOpen ? hints.Count : 0);
}

/// <summary>The figures service of one silo.</summary>
public sealed class NodeFiguresService(GrainId id, Silo silo, ILoggerFactory loggerFactory, NodeFiguresSource figures)
    : GrainService(id, silo, loggerFactory), INodeFiguresService
{
    public Task<NodeFigures> GetFigures(CancellationToken cancellationToken) => Task.FromResult(figures.Read());
}

/// <summary>Reaches the figures service of any silo.</summary>
public sealed class NodeFiguresServiceClient(IServiceProvider services) : GrainServiceClient<INodeFiguresService>(services)
{
    private readonly ConcurrentDictionary<SiloAddress, INodeFiguresService> _references = new();

    public INodeFiguresService On(SiloAddress silo) => _references.GetOrAdd(silo, GetGrainService);
}
