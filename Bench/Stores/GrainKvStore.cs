// GrainKV's storage engine under benchmark. Maps the shared settings to StorageOptions.
// Not yet mapped, because StorageOptions has no such options yet (wire them here when the LSM lands):
// CacheBytes (block cache), MemTableBytes (memtable size), BloomBitsPerKey, Compression; and
// ReadCounters should return StoreCounterNames.EngineBytesWritten from engine.GetStatistics().

using GrainKV.Storage;

namespace GrainKV.Bench.Stores;

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
        };
        var engine = await StorageEngine.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        return new GrainKvStore(engine);
    }
}

internal sealed class GrainKvStore(StorageEngine engine) : IBenchStore
{
    private static readonly IReadOnlyDictionary<string, long> NoCounters = new Dictionary<string, long>();

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

    public IReadOnlyDictionary<string, long> ReadCounters() => NoCounters;

    public ValueTask DisposeAsync() => engine.DisposeAsync();
}
