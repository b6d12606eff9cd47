// Counters of one engine instance, for benchmarks, tests and operators.

namespace GrainKV.Storage;

/// <summary>A snapshot of an engine's counters.</summary>
public sealed record EngineStatistics(
    long UserBytesWritten,
    long LogRecords,
    long BytesFlushed,
    long BytesCompacted,
    long Flushes,
    long Compactions,
    long CacheHits,
    long CacheMisses,
    long CacheBytes,
    long BloomNegatives,
    int Tables,
    long TableBytes,
    int ImmutableMemTables,
    long MemTableBytes,
    long WriteStalls)
{
    /// <summary>(Table bytes written by flush and compaction) / user bytes written.</summary>
    public double WriteAmplification => UserBytesWritten == 0 ? 0 : (double)(BytesFlushed + BytesCompacted) / UserBytesWritten;
}
