// GrainKV's storage engine under benchmark. Maps the shared settings to StorageOptions (durability,
// commit interval, block cache, memtable size, bloom bits, compression on/off) and reports the engine's
// own statistics as counters.

using GrainKV.Storage;

namespace GrainKV.Bench.Engine.Stores;

internal sealed class GrainKvStoreFactory : IBenchStoreFactory
{
    public string Name => "grainkv";

    public async ValueTask<IBenchStore> OpenAsync(string directory, StoreSettings settings, CancellationToken cancellationToken)
    {
        var options = new StorageOptions
        {
            DataDirectory = directory,
            Durability = settings.Durability == BenchDurability.Synced ? LogDurability.Synced : LogDurability.Buffered,
            CommitInterval = settings.CommitInterval,
            MaxValueSize = settings.MaxValueSize,
            BlockCacheSize = settings.CacheBytes,
            MemTableSize = settings.MemTableBytes,
            BloomBitsPerKey = settings.BloomBitsPerKey,
            Compression = !string.Equals(settings.Compression, "none", StringComparison.OrdinalIgnoreCase),
        };
        var engine = await StorageEngine.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        return new GrainKvStore(engine);
    }
}

internal sealed class GrainKvStore(StorageEngine engine) : IBenchStore
{
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) => engine.PutAsync(key, value);

    public bool Get(ReadOnlySpan<byte> key) => engine.TryGet(key, out _);

    public int Scan(byte[] from, byte[] toExclusive)
    {
        var count = 0;
        foreach (var entry in engine.Scan(from, toExclusive))
        {
            count += entry.Value.Length >= 0 ? 1 : 0;
        }

        return count;
    }

    public IReadOnlyDictionary<string, long> ReadCounters()
    {
        var stats = engine.GetStatistics();
        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [StoreCounterNames.EngineBytesWritten] = stats.EngineBytesWritten,
            ["grainkv.bytes.flushed"] = stats.BytesFlushed,
            ["grainkv.bytes.compacted"] = stats.BytesCompacted,
            ["grainkv.tables"] = stats.Tables,
            ["grainkv.cache.hits"] = stats.CacheHits,
            ["grainkv.cache.misses"] = stats.CacheMisses,
            ["grainkv.bloom.negatives"] = stats.BloomNegatives,
            ["grainkv.write.stalls"] = stats.WriteStalls,
        };
    }

    public ValueTask DisposeAsync() => engine.DisposeAsync();
}
