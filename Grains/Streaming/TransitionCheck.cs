// Completes decommissions and removals: a Leaving or Removing node moves to Left once every node that takes over
// one of its ranges holds that range completely (asked through each receiver's stream service). The check is made
// by the leaving node itself while it is live, otherwise by the live, non-leaving current node with the smallest id;
// the outcome is a function of the record and the receivers' answers, so two nodes making it agree.

using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;

namespace GrainKV.Grains.Streaming;

/// <summary>Moves leaving and removed nodes to Left once their ranges are held by their new owners.</summary>
public static class TransitionCheck
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);

    public static async Task CompleteLeavesAsync(
        RingMembership membership, RingView view, StreamProgress progress, StreamServiceClient peers, int rangeCount, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var self = membership.NodeId;
        foreach (var entry in membership.Record.Entries.Where(e => e.State is RingState.Leaving or RingState.Removing))
        {
            var checker = entry.NodeId == self && view.IsLive(self)
                ? self
                : view.IsLive(entry.NodeId)
                    ? entry.NodeId
                    : view.Nodes.Values.Where(n => n.IsLive && !view.Leaving.Contains(n.NodeId)).Select(n => n.NodeId).Order(StringComparer.Ordinal).FirstOrDefault();
            if (checker != self)
            {
                continue;
            }

            if (await AllHeldAsync(Ownership.Receivers(view, entry.NodeId, rangeCount), view, self, progress, peers, time, cancellationToken))
            {
                membership.Move(entry.NodeId, RingState.Left);
            }
        }
    }

    private static async Task<bool> AllHeldAsync(
        Dictionary<string, List<int>> receivers, RingView view, string self, StreamProgress progress, StreamServiceClient peers, TimeProvider time,
        CancellationToken cancellationToken)
    {
        foreach (var (node, ranges) in receivers)
        {
            if (node == self)
            {
                if (!ranges.All(progress.Holds))
                {
                    return false;
                }

                continue;
            }

            if (view.AddressOfLive(node) is not { } address)
            {
                return false;
            }

            try
            {
                if (!await peers.On(address).Holds([.. ranges], cancellationToken).WaitAsync(CallBound, time, cancellationToken))
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }
}
