// GrainKV's instruments (System.Diagnostics.Metrics), one meter per silo created through the host's
// IMeterFactory, so that silos sharing a process (tests) count apart. Meter name: "GrainKV".

using System.Diagnostics.Metrics;

namespace GrainKV.Grains.Hosting;

/// <summary>Counters of replication work that happens outside a request's quorum.</summary>
public sealed class GrainKvMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "GrainKV";

    public GrainKvMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        CopiesFailed = Meter.CreateCounter<long>("grainkv.replica_copies.failed", description: "Copies of a write or repair to a replica that failed or timed out (each is kept as a hint)");
        CopiesDeferred = Meter.CreateCounter<long>("grainkv.replica_copies.deferred", description: "Copies not sent because the destination already had the maximum in flight (each is kept as a hint)");
        HintsStored = Meter.CreateCounter<long>("grainkv.hints.stored", description: "Hints written for a replica that missed a copy");
        HintsDelivered = Meter.CreateCounter<long>("grainkv.hints.delivered", description: "Hints delivered to their replica and deleted");
        HintsDropped = Meter.CreateCounter<long>("grainkv.hints.dropped", description: "Copies neither delivered nor kept as a hint (hint store full or failing); only anti-entropy repairs these");
        DotConflicts = Meter.CreateCounter<long>("grainkv.versions.dot_conflicts", description: "Merges that met two different versions with one dot (both kept)");
    }

    public Meter Meter { get; }

    public Counter<long> CopiesFailed { get; }

    public Counter<long> CopiesDeferred { get; }

    public Counter<long> HintsStored { get; }

    public Counter<long> HintsDelivered { get; }

    public Counter<long> HintsDropped { get; }

    public Counter<long> DotConflicts { get; }
}
