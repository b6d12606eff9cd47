// Operator commands that change ring membership: decommission a live node (its ranges are streamed to the nodes
// taking them over, then it leaves the ring) and remove a dead one (its ranges are re-replicated from the surviving
// replicas). Each call starts the change and returns; `grainkv status` shows the transfers until the node is gone.

namespace GrainKV;

/// <summary>Ring membership changes (key: always 0; answered by whichever silo receives the call).</summary>
[Alias("grainkv.IMembershipGrain")]
public interface IMembershipGrain : IGrainWithIntegerKey
{
    /// <summary>Starts decommissioning the live node <paramref name="nodeId"/>.</summary>
    /// <exception cref="MembershipChangeException">Refused; nothing changed.</exception>
    [Alias("Decommission")]
    Task Decommission(string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Removes the dead node <paramref name="nodeId"/> from the ring and re-replicates its ranges.</summary>
    /// <exception cref="MembershipChangeException">Refused; nothing changed.</exception>
    [Alias("Remove")]
    Task Remove(string nodeId, CancellationToken cancellationToken = default);
}
