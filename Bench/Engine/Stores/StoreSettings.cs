// Settings every store under benchmark is opened with, so that both stores run at equivalent settings.
// Each adapter maps them to its own options; settings a store cannot honour yet are noted in its adapter.

namespace GrainKV.Bench.Engine.Stores;

/// <summary>Whether an acknowledged write has reached the device (synced) or only the OS / log buffer.</summary>
internal enum BenchDurability
{
    /// <summary>RocksDB <c>WriteOptions.SetSync(false)</c>; GrainKV <c>LogDurability.Buffered</c>.</summary>
    Buffered,

    /// <summary>RocksDB <c>WriteOptions.SetSync(true)</c>; GrainKV <c>LogDurability.Synced</c>.</summary>
    Synced,
}

internal sealed record StoreSettings(
    BenchDurability Durability,
    TimeSpan CommitInterval,
    long CacheBytes,
    long MemTableBytes,
    int BloomBitsPerKey,
    string Compression,
    int MaxValueSize);
