// The grains behind `grainkv status --ranges`: one per node (placed on it) that reports its range trees' key
// counts and its exchange ledger, and a stateless gatherer that asks every live node on the ring, each within
// the request timeout (a node that does not answer is listed with the error).

using GrainKV.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Placement;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>This node's anti-entropy figures.</summary>
[NodePlacement]
[Reentrant]
public sealed class NodeAntiEntropyGrain(RangeTrees trees, ExchangeLedger ledger, NodeIdentity node) : Grain, INodeAntiEntropyGrain
{
    public Task<NodeAntiEntropyStatus> GetStatus(CancellationToken cancellationToken)
    {
        var tracked = trees.Tracked().ToArray();
        long tombstones = 0;
        foreach (var (range, _) in tracked)
        {
            tombstones += trees.Of(range).TombstoneKeys;
        }

        return Task.FromResult(new NodeAntiEntropyStatus(node.NodeId, tracked.Sum(t => t.Keys), tracked.Length, tombstones, ledger.Snapshot()));
    }
}

/// <summary>Gathers the figures of every live node.</summary>
[StatelessWorker]
public sealed class AntiEntropyStatusGrain(RingService ring, NodeIdentity node, IOptions<GrainKvNodeOptions> options, GrainKvClock clock)
    : Grain, IAntiEntropyStatusGrain
{
    public async Task<AntiEntropyStatus> GetStatus(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var nodes = ring.Current.Nodes.Values.Where(n => n.IsLive).Select(n => n.NodeId).Order(StringComparer.Ordinal).ToArray();
        var answers = await Task.WhenAll(nodes.Select(async id =>
        {
            try
            {
                return await GrainFactory.GetGrain<INodeAntiEntropyGrain>(id).GetStatus(cancellationToken).WaitAsync(o.RequestTimeout, clock.Time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new NodeAntiEntropyStatus(id, 0, 0, 0, []) { Error = ex.Message.Split('\n')[0] };
            }
        }));
        return new AntiEntropyStatus(node.NodeId, o.RangeCount, answers);
    }
}
