// The gossip transport: one gossip service per silo (an Orleans grain service, addressed by the silo's address,
// so an exchange needs no grain directory and a dead peer fails only the exchanges sent to it). A peer pushes
// its table with Exchange; the service merges it into this node's GossipLiveness and returns this node's table
// (push-pull). Reentrant: an exchange never waits for another one.

using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace GrainKV.Grains.Gossip;

/// <summary>A node's gossip endpoint.</summary>
[Alias("grainkv.IGossipService")]
public interface IGossipService : IGrainService
{
    /// <summary>Merges <paramref name="entries"/>, sent by node <paramref name="from"/>, and returns this node's table.</summary>
    [Alias("Exchange")]
    Task<GossipEntry[]> Exchange(string from, GossipEntry[] entries, CancellationToken cancellationToken = default);
}

/// <summary>The gossip endpoint of the node this silo is.</summary>
[Reentrant]
public sealed class GossipService(GrainId id, Silo silo, ILoggerFactory loggerFactory, GossipLiveness liveness, GossipFaults faults)
    : GrainService(id, silo, loggerFactory), IGossipService
{
    public async Task<GossipEntry[]> Exchange(string from, GossipEntry[] entries, CancellationToken cancellationToken)
    {
        if (faults.Drops(from))
        {
            throw new ReplicaUnavailableException(liveness.NodeId, $"gossip from node '{from}' dropped (fault injected)");
        }

        if (faults.HeldFrom(from) is { IsCompleted: false } held)
        {
            // Held by a fault rule until it is released or the caller gives up (its exchange timeout).
            await held.WaitAsync(cancellationToken);
        }

        liveness.Merge(entries);
        return liveness.Digest();
    }
}

/// <summary>Reaches the <see cref="IGossipService"/> of a given silo.</summary>
public sealed class GossipServiceClient(IServiceProvider services) : GrainServiceClient<IGossipService>(services)
{
    /// <summary>The gossip service on <paramref name="silo"/>.</summary>
    public IGossipService On(SiloAddress silo) => GetGrainService(silo);
}
