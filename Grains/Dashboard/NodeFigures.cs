// What one node reports to the dashboard: its request totals per operation and its engine's figures, all
// cumulative since the node started (the page derives rates and recent latencies from two readings).

using GrainKV.Grains.Metrics;
using GrainKV.Storage;

namespace GrainKV.Grains.Dashboard;

/// <summary>One node's figures at <see cref="At"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.NodeFigures")]
public sealed record NodeFigures(
    [property: Id(0)] string NodeId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] double UptimeSeconds,
    [property: Id(3)] RequestFigures Get,
    [property: Id(4)] RequestFigures Put,
    [property: Id(5)] RequestFigures Delete,
    [property: Id(6)] EngineFigures? Engine,
    [property: Id(7)] long PendingHints);

/// <summary>The engine's figures (see <see cref="EngineStatistics"/>).</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.EngineFigures")]
public sealed record EngineFigures(
    [property: Id(0)] long MemTableBytes,
    [property: Id(1)] int ImmutableMemTables,
    [property: Id(2)] int Tables,
    [property: Id(3)] long TableBytes,
    [property: Id(4)] long Flushes,
    [property: Id(5)] long Compactions,
    [property: Id(6)] long CacheHits,
    [property: Id(7)] long CacheMisses,
    [property: Id(8)] long CacheBytes,
    [property: Id(9)] long BloomNegatives,
    [property: Id(10)] long UserBytesWritten,
    [property: Id(11)] long EngineBytesWritten,
    [property: Id(12)] double WriteAmplification,
    [property: Id(13)] long WriteStalls)
{
    public static EngineFigures From(EngineStatistics s) => new(
        s.MemTableBytes, s.ImmutableMemTables, s.Tables, s.TableBytes, s.Flushes, s.Compactions, s.CacheHits, s.CacheMisses, s.CacheBytes,
        s.BloomNegatives, s.UserBytesWritten, s.EngineBytesWritten, EngineInstruments.WriteAmplification(s), s.WriteStalls);
}
