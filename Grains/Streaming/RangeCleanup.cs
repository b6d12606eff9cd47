// Deletes the keys of ranges this node owns on neither the current nor the future ring. A range leaves a node's
// current and future lists only when the transition that moved it completed — a joiner that took it holds it (it
// became Normal only then), and a decommission or removal ends (Left) only once the receivers hold it — so the new
// owners hold every key deleted here. Runs after every change of the ring record, and again every minute, which
// also catches copies that reached this node from coordinators with an older view.

using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Grains.Ring;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Streaming;

/// <summary>Deletes what this node no longer owns.</summary>
public sealed partial class RangeCleanup(
    LocalReplicas replicas, StreamingCounters counters, IOptions<GrainKvNodeOptions> options, GrainKvClock clock, ILogger<RangeCleanup> logger)
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private readonly int _rangeCount = options.Value.RangeCount;
    private RingRecord? _cleaned;
    private long _cleanedAt;

    public async Task RunAsync(RingMembership membership, RingView view, CancellationToken cancellationToken)
    {
        var record = membership.Record;
        var self = membership.Self;
        // Only on a view of this very record: an older view may not show ranges this node has just taken over.
        if (self is null || !ReferenceEquals(view.Record, record) || (ReferenceEquals(record, _cleaned) && clock.Time.GetElapsedTime(_cleanedAt) < Period))
        {
            return;
        }

        var owned = self.State == RingState.Left ? [] : Ownership.Owned(view, self.NodeId, _rangeCount).ToHashSet();
        var dropped = 0;
        for (var range = 0; range < _rangeCount; range++)
        {
            if (!owned.Contains(range))
            {
                dropped += await replicas.DropRangeAsync(range, cancellationToken);
            }
        }

        _cleaned = record;
        _cleanedAt = clock.Time.GetTimestamp();
        if (dropped > 0)
        {
            counters.Dropped(dropped);
            LogDropped(dropped, self.NodeId);
        }
    }

    [LoggerMessage(EventId = 245, Level = LogLevel.Information, Message = "Deleted {Keys} keys of ranges node {NodeId} no longer owns (their new owners hold them)")]
    private partial void LogDropped(int keys, string nodeId);
}
