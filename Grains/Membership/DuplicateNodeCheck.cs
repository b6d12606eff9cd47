// Refuses to start a second live silo with a node id that a live silo already has. Ring membership is
// keyed by node id and a node's dots by its incarnation: two live silos with one node id would merge into
// one ring node and could each serve replicas "of" that node. Once this silo has joined the cluster it
// looks for other members with its name and asks each one (through the management grain, with a short
// bound) whether it is alive; a silo that answers is a live duplicate and this one stops starting. A
// member that does not answer is a crashed predecessor that membership has not declared dead yet (the
// usual case after a kill -9 and restart), and is ignored.

using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GrainKV.Grains.Membership;

/// <summary>Thrown when a silo starts with the node id of another live silo.</summary>
public sealed class DuplicateNodeException(string message) : InvalidOperationException(message);

/// <summary>The start-up check against a second live silo with this node's id.</summary>
public sealed partial class DuplicateNodeCheck(
    IClusterMembershipService membership, ILocalSiloDetails silo, IGrainFactory grains, NodeIdentity node, ILogger<DuplicateNodeCheck> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan ProbeBound = TimeSpan.FromSeconds(5);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DuplicateNodeCheck), ServiceLifecycleStage.Active - 1, CheckAsync);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Name == node.NodeId && !m.SiloAddress.Equals(silo.SiloAddress) && m.Status is SiloStatus.Active or SiloStatus.Joining)
            .Select(m => m.SiloAddress)
            .ToList();
        foreach (var other in others)
        {
            if (await AnswersAsync(other, cancellationToken))
            {
                var message = $"Node id '{node.NodeId}' is already in use by the live silo at {other.Endpoint}; give this node another id (GrainKV:NodeId) or stop the other silo.";
                LogDuplicate(message);
                throw new DuplicateNodeException(message);
            }
        }
    }

    private async Task<bool> AnswersAsync(SiloAddress other, CancellationToken cancellationToken)
    {
        try
        {
            var statistics = await grains.GetGrain<IManagementGrain>(0).GetRuntimeStatistics([other]).WaitAsync(ProbeBound, cancellationToken);
            return statistics.Length == 1;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Critical, Message = "{Message}")]
    private partial void LogDuplicate(string message);
}
