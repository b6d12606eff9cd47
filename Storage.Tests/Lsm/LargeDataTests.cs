// More data than the memtable and cache budgets hold: everything reads back, from tables through the
// cache; compaction drops shadowed versions; tombstones go only when the purge policy allows.

using System.Text;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class LargeDataTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task ADataSetManyTimesTheMemoryBudgetReadsBackCorrectly()
    {
        var options = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = LogDurability.Buffered,
            MemTableSize = 1024 * 1024,
            BlockCacheSize = 512 * 1024,
        };
        const int count = 24_000;
        static byte[] Value(int i) => Encoding.UTF8.GetBytes($"{i:D8}:{new string((char)('a' + i % 26), 1000)}");

        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            foreach (var i in Enumerable.Range(0, count).OrderBy(i => (i * 7919) % count))
            {
                await engine.PutAsync(Encoding.UTF8.GetBytes($"key{i:D8}"), Value(i));
            }
        }

        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            for (var i = 0; i < count; i += 7)
            {
                Assert.True(engine.TryGet(Encoding.UTF8.GetBytes($"key{i:D8}"), out var value), $"key {i}");
                Assert.Equal(Value(i), value);
            }

            Assert.False(engine.TryGet("key-absent"u8, out _));
            Assert.Equal(count, engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Count());
            var stats = engine.GetStatistics();
            Assert.True(stats.Tables >= 1);
            Assert.True(stats.CacheMisses > 0);
            Assert.True(stats.CacheBytes <= options.BlockCacheSize);
            Assert.True(stats.BloomNegatives > 0 || stats.Tables == 1);
        }
    }

    [Fact]
    public async Task CompactionDropsShadowedVersionsAndPurgesTombstonesOnlyWhenAllowed()
    {
        var purge = false;
        var options = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = LogDurability.Buffered,
            MemTableSize = 64 * 1024,
            Compression = false,
            CanPurgeTombstone = _ => purge,
        };
        await using var engine = await StorageEngine.OpenAsync(options);
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 200; i++)
            {
                await engine.PutAsync(Encoding.UTF8.GetBytes($"k{i:D4}"), new byte[500]);
            }

            await engine.FlushAsync();
        }

        await engine.CompactAsync();
        var oneVersion = engine.GetStatistics().TableBytes;
        Assert.InRange(oneVersion, 200 * 500, 200 * 500 * 2);

        for (var i = 0; i < 200; i++)
        {
            await engine.DeleteAsync(Encoding.UTF8.GetBytes($"k{i:D4}"));
        }

        await engine.CompactAsync();
        var withTombstones = engine.GetStatistics().TableBytes;
        Assert.True(withTombstones > 200 * 5, $"tombstones kept: {withTombstones} bytes");
        Assert.False(engine.TryGet("k0001"u8, out _));

        purge = true;
        await engine.PutAsync("trigger"u8.ToArray(), new byte[] { 1 });
        await engine.CompactAsync();
        Assert.True(engine.GetStatistics().TableBytes < withTombstones / 2);
        Assert.False(engine.TryGet("k0001"u8, out _));
        Assert.Single(engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty));
    }

    public void Dispose() => _directory.Dispose();
}
