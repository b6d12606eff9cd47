// Cluster status for operators: the nodes on the ring, their liveness and their share of the ranges,
// as seen by the silo that answers.

namespace GrainKV;

/// <summary>One node as seen in a <see cref="ClusterStatus"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.NodeStatus")]
public sealed record NodeStatus(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string Datacenter,
    [property: Id(2)] bool IsLive,
    [property: Id(3)] string Address,
    [property: Id(4)] int PrimaryRanges,
    [property: Id(5)] int ReplicaRanges)
{
    /// <summary>Gossip's view of the node: up, suspect, down or unknown.</summary>
    [Id(6)]
    public string Gossip { get; init; } = "unknown";

    /// <summary>Time since the node's heartbeat last advanced, as seen by the answering node (null: never heard).</summary>
    [Id(7)]
    public TimeSpan? HeartbeatAge { get; init; }

    /// <summary>The nodes that suspect this node now.</summary>
    [Id(8)]
    public IReadOnlyList<string> SuspectedBy { get; init; } = [];

    /// <summary>The node's state on the ring: joining, normal, leaving, removing.</summary>
    [Id(9)]
    public string RingState { get; init; } = "normal";
}

/// <summary>One node's range transfers (counters since the node started).</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.TransferStatus")]
public sealed record TransferStatus(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string RingState,
    [property: Id(2)] int RangesOwned,
    [property: Id(3)] int RangesPending,
    [property: Id(4)] int RangesStreaming)
{
    /// <summary>Keys received in streamed batches (every source counted).</summary>
    [Id(5)]
    public long KeysReceived { get; init; }

    /// <summary>Bytes of keys and version sets received.</summary>
    [Id(6)]
    public long BytesReceived { get; init; }

    /// <summary>Received keys this node did not hold before.</summary>
    [Id(7)]
    public long KeysAdded { get; init; }

    /// <summary>Keys sent to other nodes' transfers.</summary>
    [Id(8)]
    public long KeysSent { get; init; }

    /// <summary>Bytes sent to other nodes' transfers.</summary>
    [Id(9)]
    public long BytesSent { get; init; }

    /// <summary>Keys deleted from ranges this node no longer owns.</summary>
    [Id(10)]
    public long KeysDropped { get; init; }
}

/// <summary>The ring and its defaults, as seen by <see cref="ObservedBy"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ClusterStatus")]
public sealed record ClusterStatus(
    [property: Id(0)] string ObservedBy,
    [property: Id(1)] int RangeCount,
    [property: Id(2)] int ReplicationFactor,
    [property: Id(3)] int WriteQuorum,
    [property: Id(4)] int ReadQuorum,
    [property: Id(5)] IReadOnlyList<NodeStatus> Nodes)
{
    /// <summary>Hints the observing node keeps for other nodes, not yet delivered.</summary>
    [Id(6)]
    public long PendingHints { get; init; }

    /// <summary>Range transfers per node (the nodes that answered).</summary>
    [Id(7)]
    public IReadOnlyList<TransferStatus> Transfers { get; init; } = [];
}

/// <summary>Answers status queries from any silo (key: always 0).</summary>
[Alias("grainkv.IClusterStatusGrain")]
public interface IClusterStatusGrain : IGrainWithIntegerKey
{
    [Alias("GetStatus")]
    Task<ClusterStatus> GetStatus(CancellationToken cancellationToken = default);
}
