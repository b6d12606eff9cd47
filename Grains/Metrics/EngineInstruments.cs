// The storage engine's figures as observable instruments on the node's meter. The engine (Storage/, no
// Orleans and no meter of its own) keeps its counters as interlocked fields and reports them through
// StorageEngine.GetStatistics(); these instruments read that snapshot when a collector asks (a Prometheus
// scrape, a MetricCollector), so the write and read paths pay nothing for them. While the engine is not open
// (before the silo starts, after it stopped) they report nothing.

using System.Diagnostics.Metrics;
using GrainKV.Storage;

namespace GrainKV.Grains.Metrics;

/// <summary>Publishes an engine's statistics on a meter.</summary>
public static class EngineInstruments
{
    /// <summary>Creates the engine's instruments on <paramref name="meter"/>, reading the engine <paramref name="engine"/>
    /// returns (null: not open).</summary>
    public static void Register(Meter meter, Func<StorageEngine?> engine)
    {
        IEnumerable<Measurement<T>> Read<T>(Func<EngineStatistics, T> figure)
            where T : struct =>
            engine()?.GetStatistics() is { } statistics ? [new Measurement<T>(figure(statistics))] : [];

        meter.CreateObservableGauge("grainkv.engine.memtable.size", () => Read(s => s.MemTableBytes), unit: "By",
            description: "Bytes in the engine's memtables (the active one and those waiting to be flushed)");
        meter.CreateObservableGauge("grainkv.engine.memtables.immutable", () => Read(s => s.ImmutableMemTables),
            description: "Memtables waiting to be flushed to a table");
        meter.CreateObservableCounter("grainkv.engine.flushes", () => Read(s => s.Flushes), description: "Memtables flushed to tables");
        meter.CreateObservableCounter("grainkv.engine.compactions", () => Read(s => s.Compactions), description: "Compactions completed");
        meter.CreateObservableCounter("grainkv.engine.cache.hits", () => Read(s => s.CacheHits), description: "Block reads served by the block cache");
        meter.CreateObservableCounter("grainkv.engine.cache.misses", () => Read(s => s.CacheMisses), description: "Block reads that went to a table file");
        meter.CreateObservableCounter("grainkv.engine.cache.rejections", () => Read(s => s.CacheRejections),
            description: "Blocks loaded but not kept: read less often lately than the cached block they would have replaced");
        meter.CreateObservableGauge("grainkv.engine.cache.size", () => Read(s => s.CacheBytes), unit: "By", description: "Bytes held by the block cache");
        meter.CreateObservableCounter("grainkv.engine.bloom.negatives", () => Read(s => s.BloomNegatives),
            description: "Table lookups a bloom filter answered (the key is certainly not in the table; no block read)");
        meter.CreateObservableGauge("grainkv.engine.tables", () => Read(s => s.Tables), description: "Live tables");
        meter.CreateObservableGauge("grainkv.engine.tables.size", () => Read(s => s.TableBytes), unit: "By", description: "Bytes in live tables");
        meter.CreateObservableCounter("grainkv.engine.write_stalls", () => Read(s => s.WriteStalls),
            description: "Writes that waited because too many memtables or tables were pending");
        meter.CreateObservableCounter("grainkv.engine.log.commits", () => Read(s => s.LogCommits),
            description: "Commits of the engine's log (each a log write, a commit-slot write and an fsync)");
        meter.CreateObservableCounter("grainkv.engine.log.commit_waits", () => Read(s => s.CommitWaits),
            description: "Requests that waited for a commit of the log: synced writes, and reads of versions not yet durable");
        meter.CreateObservableCounter("grainkv.engine.log.segments_reused", () => Read(s => s.LogSegmentsReused),
            description: "Segments the log began in a removed segment's file (a spare) rather than a new file");
        meter.CreateObservableCounter<long>("grainkv.engine.bytes_written", () => engine()?.GetStatistics() is { } s
                ?
                (IEnumerable<Measurement<long>>)[
                    new Measurement<long>(s.UserBytesWritten, new KeyValuePair<string, object?>("kind", "user")),
                    new Measurement<long>(s.LogBytes, new KeyValuePair<string, object?>("kind", "log")),
                    new Measurement<long>(s.BytesFlushed, new KeyValuePair<string, object?>("kind", "flush")),
                    new Measurement<long>(s.BytesCompacted, new KeyValuePair<string, object?>("kind", "compaction")),
                ]
                : [],
            unit: "By", description: "Bytes written: by users (keys and values), and by the engine to its log, flushed tables and compacted tables");
        meter.CreateObservableGauge("grainkv.engine.write_amplification", () => Read(WriteAmplification),
            description: "Bytes the engine wrote to files (log, flushes, compactions) per user byte written, since the engine opened");
    }

    /// <summary>Engine bytes written per user byte (0 before the first write).</summary>
    public static double WriteAmplification(EngineStatistics statistics) =>
        statistics.UserBytesWritten == 0 ? 0 : (double)statistics.EngineBytesWritten / statistics.UserBytesWritten;
}
