// Gathers `grainkv status --ranges`: asks the replica tree service of every live node on the ring for its
// figures (range trees' key counts, exchange ledger), each within the request timeout; a node that does not
// answer is listed with the error. A stateless worker in the entry-grain directory, like the cluster status.

using GrainKV.AntiEntropy;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>Gathers the figures of every live node.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
public sealed class AntiEntropyStatusGrain(
    RingService ring, ReplicaTreeServiceClient services, NodeIdentity node, IOptions<GrainKvNodeOptions> options, GrainKvClock clock)
    : Grain, IAntiEntropyStatusGrain
{
    public async Task<AntiEntropyStatus> GetStatus(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var nodes = ring.Current.Nodes.Values.Where(n => n.IsLive && n.Address is not null).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToArray();
        var answers = await Task.WhenAll(nodes.Select(async n =>
        {
            try
            {
                return await services.On(n.Address!).GetStatus(cancellationToken).WaitAsync(o.RequestTimeout, clock.Time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new NodeAntiEntropyStatus(n.NodeId, 0, 0, 0, []) { Error = ex.Message.Split('\n')[0] };
            }
        }));
        return new AntiEntropyStatus(node.NodeId, o.RangeCount, answers);
    }
}
