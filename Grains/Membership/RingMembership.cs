// This silo's copy of the ring record: loaded from the data directory at start, merged with the copies other silos
// send (RingRecordSync), changed by this node's own transitions and by operator commands, and written back to the
// data directory (crash-safe) before a change is announced. Raises Changed after every change.

using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GrainKV.Grains.Membership;

/// <summary>The ring record as this node knows it.</summary>
public sealed partial class RingMembership : ILifecycleParticipant<ISiloLifecycle>
{
    private const string FileName = "ring-record.json";

    private readonly NodeIdentity _node;
    private readonly ILogger<RingMembership> _logger;
    private readonly Lock _lock = new();
    private volatile RingRecord _record = RingRecord.Empty;

    public RingMembership(NodeIdentity node, ILogger<RingMembership> logger)
    {
        _node = node;
        _logger = logger;
    }

    /// <summary>The record as of now.</summary>
    public RingRecord Record => _record;

    /// <summary>This node's id.</summary>
    public string NodeId => _node.NodeId;

    /// <summary>This node's entry, or null when it has never joined.</summary>
    public RingEntry? Self => _record.Find(_node.NodeId);

    /// <summary>True if the record was read from this node's data directory at start (the node had been on a ring).</summary>
    public bool LoadedFromDisk { get; private set; }

    /// <summary>Raised (synchronously, outside the lock) after <see cref="Record"/> changed.</summary>
    public event Action<RingRecord>? Changed;

    private string FilePath => Path.Combine(_node.DataDirectory, FileName);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RingMembership), ServiceLifecycleStage.RuntimeInitialize, Load, _ => Task.CompletedTask);

    private Task Load(CancellationToken cancellationToken)
    {
        if (File.Exists(FilePath))
        {
            _record = RingRecord.FromJson(File.ReadAllText(FilePath));
            LoadedFromDisk = true;
            LogLoaded(_record.ToString());
        }

        return Task.CompletedTask;
    }

    /// <summary>Merges <paramref name="other"/> into this node's record. Returns true if that changed it.</summary>
    public bool Merge(RingRecord other)
    {
        RingRecord merged;
        lock (_lock)
        {
            merged = _record.Merge(other);
            if (ReferenceEquals(merged, _record) || merged.SameAs(_record))
            {
                return false;
            }

            DurableFile.WriteAllText(FilePath, merged.ToJson());
            _record = merged;
        }

        LogChanged(merged.ToString());
        Changed?.Invoke(merged);
        return true;
    }

    /// <summary>Moves <paramref name="nodeId"/> to <paramref name="state"/> (in its current generation) if that is a step
    /// forward. Returns true if the record changed.</summary>
    public bool Move(string nodeId, RingState state)
    {
        var entry = _record.Find(nodeId);
        return entry is not null && Merge(new RingRecord([entry with { State = state }]));
    }

    [LoggerMessage(EventId = 230, Level = LogLevel.Information, Message = "Ring record loaded: {Record}")]
    private partial void LogLoaded(string record);

    [LoggerMessage(EventId = 231, Level = LogLevel.Information, Message = "Ring record changed: {Record}")]
    private partial void LogChanged(string record);
}
