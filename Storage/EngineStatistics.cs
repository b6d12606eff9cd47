// Counters of one engine instance, for benchmarks, tests and operators.

namespace GrainKV.Storage;

/// <summary>A snapshot of an engine's counters.</summary>
public sealed record EngineStatistics(
    long UserBytesWritten,
    long LogRecords,
    long LogBytes,
    long BytesFlushed,
    long BytesCompacted,
    long Flushes,
    long Compactions,
    long CacheHits,
    long CacheMisses,
    long CacheBytes,
    long CacheRejections,
    long BloomNegatives,
    int Tables,
    long TableBytes,
    int ImmutableMemTables,
    long MemTableBytes,
    long WriteStalls,
    long LogCommits,
    long CommitWaits,
    long LogSegmentsReused)
{
    /// <summary>Bytes the engine wrote to files: log records, flushed tables and compacted tables.</summary>
    public long EngineBytesWritten => LogBytes + BytesFlushed + BytesCompacted;
}
