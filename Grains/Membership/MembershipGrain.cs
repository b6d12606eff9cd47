// The operator's membership commands, checked against this silo's ring record and view, then recorded in the ring
// record and pushed to every active silo before the call returns. Decommission: the node must be Normal and live,
// no other change under way, and at least N nodes must stay. Remove: the node must be on the ring and not live
// (a live node is decommissioned instead, which keeps its data available while it streams).

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;

namespace GrainKV.Grains.Membership;

/// <summary>Stateless; runs on whichever silo receives the call.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
public sealed partial class MembershipGrain(
    RingMembership membership, RingService ring, RingRecordSync sync, IOptions<GrainKvNodeOptions> options, ILogger<MembershipGrain> logger)
    : Grain, IMembershipGrain
{
    public async Task Decommission(string nodeId, CancellationToken cancellationToken)
    {
        var entry = Find(nodeId);
        if (entry.State != RingState.Normal)
        {
            throw new MembershipChangeException($"Node '{nodeId}' is {entry.State.ToString().ToLowerInvariant()}; only a normal node can be decommissioned.");
        }

        if (membership.Record.Entries.FirstOrDefault(e => e.State is RingState.Joining or RingState.Leaving) is { } busy)
        {
            throw new MembershipChangeException($"Node '{busy.NodeId}' is {busy.State.ToString().ToLowerInvariant()}; wait until that change completes (grainkv status).");
        }

        if (!ring.Current.IsLive(nodeId))
        {
            throw new MembershipChangeException($"Node '{nodeId}' is down; a dead node is removed instead (grainkv node remove {nodeId}).");
        }

        var remaining = membership.Record.Entries.Count(e => e.State == RingState.Normal) - 1;
        if (remaining < options.Value.ReplicationFactor)
        {
            throw new MembershipChangeException(
                $"Decommissioning node '{nodeId}' would leave {remaining} node(s), fewer than the {options.Value.ReplicationFactor} replicas of each key; add a node first.");
        }

        LogCommand("decommission", nodeId);
        membership.Move(nodeId, RingState.Leaving);
        await sync.PublishAsync();
    }

    public async Task Remove(string nodeId, CancellationToken cancellationToken)
    {
        var entry = Find(nodeId);
        if (entry.State is RingState.Removing)
        {
            return;
        }

        if (ring.Current.IsLive(nodeId))
        {
            throw new MembershipChangeException($"Node '{nodeId}' is live; decommission it instead (grainkv node decommission {nodeId}), or stop it first.");
        }

        LogCommand("remove", nodeId);

        // A joining node owned nothing yet: it simply leaves. Any other node's ranges are re-replicated first.
        membership.Move(nodeId, entry.State == RingState.Joining ? RingState.Left : RingState.Removing);
        await sync.PublishAsync();
    }

    private RingEntry Find(string nodeId)
    {
        if (string.IsNullOrWhiteSpace(nodeId))
        {
            throw new MembershipChangeException("A node id is required.");
        }

        var entry = membership.Record.Find(nodeId);
        if (entry is null || entry.State == RingState.Left)
        {
            var known = string.Join(", ", membership.Record.Entries.Where(e => e.State != RingState.Left).Select(e => e.NodeId));
            throw new MembershipChangeException($"Node '{nodeId}' is not on the ring (nodes on the ring: {known}).");
        }

        return entry;
    }

    [LoggerMessage(EventId = 235, Level = LogLevel.Information, Message = "Operator command: {Command} node {NodeId}")]
    private partial void LogCommand(string command, string nodeId);
}
