// RocksDB (RocksDbSharp, NuGet package `RocksDB`) under benchmark, as the peer. Settings map to:
// sync writes ↔ WriteOptions.SetSync; CacheBytes → LRU block cache; MemTableBytes → write_buffer_size;
// bloom filter bits per key; compression. Statistics are on, for the engine's own bytes written.

using System.Globalization;
using RocksDbSharp;

namespace GrainKV.Bench.Engine.Stores;

using ReadOptions = RocksDbSharp.ReadOptions;
using WriteOptions = RocksDbSharp.WriteOptions;

internal sealed class RocksDbStoreFactory : IBenchStoreFactory
{
    public string Name => "rocksdb";

    public ValueTask<IBenchStore> OpenAsync(string directory, StoreSettings settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var table = new BlockBasedTableOptions()
            .SetBlockCache(Cache.CreateLru((ulong)settings.CacheBytes))
            .SetFormatVersion(5);
        if (settings.BloomBitsPerKey > 0)
        {
            table.SetFilterPolicy(BloomFilterPolicy.Create(settings.BloomBitsPerKey, false));
        }

        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .IncreaseParallelism(Environment.ProcessorCount)
            .SetWriteBufferSize((ulong)settings.MemTableBytes)
            .SetCompression(ParseCompression(settings.Compression))
            .SetBlockBasedTableFactory(table)
            .EnableStatistics();
        var db = RocksDb.Open(options, directory);
        var writeOptions = new WriteOptions().SetSync(settings.Durability == BenchDurability.Synced);
        return ValueTask.FromResult<IBenchStore>(new RocksDbStore(db, options, writeOptions));
    }

    private static Compression ParseCompression(string name) => name switch
    {
        "none" => Compression.No,
        "lz4" => Compression.Lz4,
        "snappy" => Compression.Snappy,
        "zstd" => Compression.Zstd,
        _ => throw new ArgumentException($"Unknown compression '{name}' (none, lz4, snappy, zstd)."),
    };
}

internal sealed class RocksDbStore(RocksDb db, DbOptions options, WriteOptions writeOptions) : IBenchStore
{
    // Tickers whose sum is what RocksDB itself wrote to files.
    private static readonly string[] EngineWriteTickers = ["rocksdb.wal.bytes", "rocksdb.flush.write.bytes", "rocksdb.compact.write.bytes"];

    public ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value)
    {
        db.Put(key.Span, value.Span, null, writeOptions);
        return ValueTask.CompletedTask;
    }

    public bool Get(ReadOnlySpan<byte> key) => db.Get(key) is not null;

    public int Scan(byte[] from, byte[] toExclusive)
    {
        var readOptions = new ReadOptions().SetIterateUpperBound(toExclusive);
        using var iterator = db.NewIterator(null, readOptions);
        var count = 0;
        for (iterator.Seek(from); iterator.Valid(); iterator.Next())
        {
            count += iterator.GetValueSpan().Length >= 0 ? 1 : 0;
        }

        GC.KeepAlive(readOptions);
        return count;
    }

    public IReadOnlyDictionary<string, long> ReadCounters()
    {
        var tickers = ParseTickers(options.GetStatisticsString());
        long engineBytes = 0;
        foreach (var name in EngineWriteTickers)
        {
            engineBytes += tickers.GetValueOrDefault(name);
        }

        tickers[StoreCounterNames.EngineBytesWritten] = engineBytes;
        return tickers;
    }

    public ValueTask DisposeAsync()
    {
        db.Dispose();
        return ValueTask.CompletedTask;
    }

    // Lines look like "rocksdb.wal.bytes COUNT : 12345"; histogram lines have no COUNT and are skipped.
    private static Dictionary<string, long> ParseTickers(string statistics)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in statistics.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 4 && parts[1] == "COUNT" && long.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                result[parts[0]] = value;
            }
        }

        return result;
    }
}
