// GrainKV's instruments (System.Diagnostics.Metrics), one meter per silo created through the host's
// IMeterFactory, so that silos sharing a process (tests) count apart. Meter name: "GrainKV". The silo's
// HTTP endpoint exports them in Prometheus' text format at /metrics; docs/OPERATIONS.md lists them all.
// Observable instruments live beside what they observe: the engine's (Metrics/EngineInstruments.cs) and
// the pending hints (Handoff/HintStore.cs).

using System.Diagnostics.Metrics;
using GrainKV.Grains.Metrics;

namespace GrainKV.Grains.Hosting;

/// <summary>GrainKV's instruments: requests, quorums and the replication work around them.</summary>
public sealed class GrainKvMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "GrainKV";

    public GrainKvMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Requests = Meter.CreateCounter<long>("grainkv.requests", description: "Requests this node coordinated, by operation (get, put, delete) and outcome (ok, not_found, rejected, not_enough_replicas, timeout, cancelled, error)");
        RequestDuration = Meter.CreateHistogram(
            "grainkv.request.duration", unit: "s", description: "Time from a request's arrival at its coordinating node to its answer, by operation and outcome",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets.Boundaries });
        QuorumFailures = Meter.CreateCounter<long>("grainkv.quorum.failures", description: "Requests that did not reach their quorum, by operation and reason (not_enough_replicas; timeout: a write's version creator did not answer in time)");
        Overwrites = Meter.CreateCounter<long>("grainkv.overwrites", description: "Overwrites at W >= R > 1, by rounds (one: the write's copies confirmed no replica held a version it missed; two: it read and wrote again)");
        ReadRepairs = Meter.CreateCounter<long>("grainkv.read_repairs", description: "Stale replicas a read brought up to date, by outcome (ok; hinted: the copy failed and was kept as a hint)");
        ReplicaOperationsSent = Meter.CreateCounter<long>("grainkv.replica.operations_sent", description: "Replica reads, version creations and applies this node sent to other nodes");
        ReplicaMessagesSent = Meter.CreateCounter<long>("grainkv.replica.messages_sent", description: "Messages that carried them: operations bound for one node travel together when several wait (operations per message = their ratio)");
        ClientBatches = Meter.CreateCounter<long>("grainkv.client_batches", description: "Batches of client requests this node received as a gateway (IKeyRangeGrain.Batch)");
        ClientBatchedRequests = Meter.CreateCounter<long>("grainkv.client_batches.requests", description: "The requests those batches carried (requests per batch = their ratio)");
        CopiesSent = Meter.CreateCounter<long>("grainkv.replica_copies.sent", description: "Copies of a version set a replica or standby acknowledged: a write's copies beyond its creator (those past W complete in the background), read repairs and hint hand-offs");
        CopiesFailed = Meter.CreateCounter<long>("grainkv.replica_copies.failed", description: "Copies of a write or repair to a replica that failed or timed out (each is kept as a hint)");
        CopiesDeferred = Meter.CreateCounter<long>("grainkv.replica_copies.deferred", description: "Copies not sent because the destination already had the maximum in flight (each is kept as a hint)");
        Meter.CreateObservableGauge(
            "grainkv.process.memory.limit", static () => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, unit: "By",
            description: "Memory the garbage collector may hold: GrainKV:HeapLimitMb when set, else its default (75 % of a container's limit, or all of the machine's memory)");
        HintsStored = Meter.CreateCounter<long>("grainkv.hints.stored", description: "Hints written for a replica that missed a copy");
        HintsDelivered = Meter.CreateCounter<long>("grainkv.hints.delivered", description: "Hints delivered to their replica and deleted");
        HintsDropped = Meter.CreateCounter<long>("grainkv.hints.dropped", description: "Copies neither delivered nor kept as a hint (hint store full or failing); only anti-entropy repairs these");
        DotConflicts = Meter.CreateCounter<long>("grainkv.versions.dot_conflicts", description: "Merges that met two different versions with one dot (both kept)");
        ExchangesCompleted = Meter.CreateCounter<long>("grainkv.antientropy.exchanges", description: "Anti-entropy exchanges of a range completed by this node");
        KeysRepaired = Meter.CreateCounter<long>("grainkv.antientropy.keys_repaired", description: "Merged version sets sent to a replica that lacked them (one per replica and key)");
        VersionSetsMoved = Meter.CreateCounter<long>("grainkv.antientropy.version_sets_moved", description: "Version sets read from or sent to replicas by anti-entropy");
        TombstonesPurged = Meter.CreateCounter<long>("grainkv.antientropy.tombstones_purged", description: "Tombstone sets purged after every replica held them past the grace period (one per replica and key)");
        HintVersionsExpired = Meter.CreateCounter<long>("grainkv.hints.versions_expired", description: "Hinted versions older than the tombstone grace period, not delivered (anti-entropy repairs their replicas)");
        BytesMoved = Meter.CreateCounter<long>("grainkv.antientropy.bytes_moved", description: "Bytes anti-entropy moved: tree hashes, leaf key listings and version sets", unit: "By");
        StreamKeysReceived = Meter.CreateCounter<long>("grainkv.streaming.keys_received", description: "Keys received by range streaming (bootstrap, decommission, removal)");
        StreamBytesReceived = Meter.CreateCounter<long>("grainkv.streaming.bytes_received", description: "Bytes of keys and version sets received by range streaming", unit: "By");
        StreamKeysSent = Meter.CreateCounter<long>("grainkv.streaming.keys_sent", description: "Keys sent to other nodes by range streaming");
        StreamKeysDropped = Meter.CreateCounter<long>("grainkv.streaming.keys_dropped", description: "Keys deleted from ranges this node no longer owns, after their new owners held them");
    }

    public Counter<long> StreamKeysReceived { get; }

    public Counter<long> StreamBytesReceived { get; }

    public Counter<long> StreamKeysSent { get; }

    public Counter<long> StreamKeysDropped { get; }

    public Meter Meter { get; }

    public Counter<long> Requests { get; }

    public Histogram<double> RequestDuration { get; }

    public Counter<long> QuorumFailures { get; }

    public Counter<long> Overwrites { get; }

    public Counter<long> ReadRepairs { get; }

    public Counter<long> ReplicaOperationsSent { get; }

    public Counter<long> ReplicaMessagesSent { get; }

    public Counter<long> ClientBatches { get; }

    public Counter<long> ClientBatchedRequests { get; }

    public Counter<long> CopiesSent { get; }

    public Counter<long> CopiesFailed { get; }

    public Counter<long> CopiesDeferred { get; }

    public Counter<long> HintsStored { get; }

    public Counter<long> HintsDelivered { get; }

    public Counter<long> HintsDropped { get; }

    public Counter<long> DotConflicts { get; }

    public Counter<long> ExchangesCompleted { get; }

    public Counter<long> KeysRepaired { get; }

    public Counter<long> VersionSetsMoved { get; }

    public Counter<long> BytesMoved { get; }

    public Counter<long> TombstonesPurged { get; }

    public Counter<long> HintVersionsExpired { get; }
}
