// The node's storage engine, opened when the silo starts (before it accepts grain calls) and closed,
// with its log committed, after the silo has stopped serving grains.

using GrainKV.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using GrainKV.Grains.Expiry;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Metrics;

namespace GrainKV.Grains.Replicas;

/// <summary>Owns the silo's <see cref="StorageEngine"/> for the silo's lifetime.</summary>
public sealed partial class LocalStore : ILifecycleParticipant<ISiloLifecycle>
{
    private const string EngineDirectoryName = "engine";

    private readonly NodeIdentity _node;
    private readonly NodeIncarnation _incarnation;
    private readonly GrainKvNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ExpiryClock _expiry;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<LocalStore> _logger;
    private volatile StorageEngine? _engine;

    public LocalStore(
        NodeIdentity node, NodeIncarnation incarnation, IOptions<GrainKvNodeOptions> options, TimeProvider time, ExpiryClock expiry, GrainKvMetrics metrics,
        ILoggerFactory loggerFactory)
    {
        _expiry = expiry;
        _node = node;
        _incarnation = incarnation;
        _options = options.Value;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LocalStore>();
        EngineInstruments.Register(metrics.Meter, () => _engine);
    }

    /// <summary>The open engine. Throws if the silo has not started or has stopped.</summary>
    public StorageEngine Engine => _engine ?? throw new InvalidOperationException("The storage engine of this node is not open.");

    /// <summary>True while the engine is open.</summary>
    public bool IsOpen => _engine is not null;

    /// <summary>The engine's counters now; null while it is not open.</summary>
    public EngineStatistics? Statistics => _engine?.GetStatistics();

    /// <summary>Directory of the engine's files.</summary>
    public string EngineDirectory => Path.Combine(_node.DataDirectory, EngineDirectoryName);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LocalStore), ServiceLifecycleStage.RuntimeInitialize, OpenAsync, CloseAsync);

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var storage = new StorageOptions
        {
            DataDirectory = EngineDirectory,
            Durability = _options.Durability,
            CommitInterval = _options.CommitInterval,
            CommitSpacing = _options.CommitSpacing,
            MemTableSize = _options.MemTableSize,
            BlockCacheSize = _options.BlockCacheSize,
            BackgroundNice = _options.BackgroundNice,

            // An engine delete is written only for a key nothing may bring back: a purged tombstone (anti-entropy
            // confirmed every replica holds it) or a delivered hint. When a compaction rewrites the oldest table,
            // nothing older remains under such a delete, so it goes too.
            CanPurgeTombstone = static _ => true,

            // Compaction drops the values of expired versions (on the clock reads judge expiry by).
            CompactionRewrite = ExpiryCompaction.Rewrite(_expiry.Time),
        };
        // The incarnation is decided (and a crash from here on made detectable) before any write is accepted.
        _incarnation.Begin();
        _engine = await StorageEngine.OpenAsync(storage, _time, _loggerFactory, cancellationToken);
        LogOpened(_node.NodeId, _incarnation.ActorId, EngineDirectory);
    }

    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_engine is { } engine)
        {
            _engine = null;
            await engine.DisposeAsync();

            // Every write of this incarnation is durable now (disposal commits the log): the next start may resume it.
            _incarnation.EndClean();
            LogClosed(_node.NodeId);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Node {NodeId} (actor {Actor}) opened its store in {Directory}")]
    private partial void LogOpened(string nodeId, string actor, string directory);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Node {NodeId} closed its store")]
    private partial void LogClosed(string nodeId);
}
