// A compaction's output takes over its inputs' place in the block cache: keys whose blocks were cached before a
// compaction are read from the cache after it (the output has a new table id, so without this every one of them
// would miss), while blocks nobody read stay out of the cache.

using System.Text;

namespace GrainKV.Storage.Tests.Compaction;

public sealed class CacheCarryOverTests : IDisposable
{
    private const int Keys = 2000;
    private const int Hot = 200;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private StorageOptions Options => new()
    {
        DataDirectory = _directory.Path,
        BlockCacheSize = 16 * 1024 * 1024,
        CompactionTrigger = 10, // only the compaction the test asks for
        MaxTables = 10,
        StallTables = 20,
    };

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key-{i:D5}");

    private static byte[] Value(int i, int version) => Encoding.UTF8.GetBytes($"v{version}-{i:D5}-{new string('x', 200)}");

    [Fact]
    public async Task KeysReadBeforeACompactionAreReadFromTheCacheAfterIt()
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        for (var version = 1; version <= 2; version++)
        {
            for (var i = 0; i < Keys; i++)
            {
                await engine.PutAsync(Key(i), Value(i, version));
            }

            await engine.FlushAsync();
        }

        for (var i = 0; i < Hot; i++)
        {
            Assert.True(engine.TryGet(Key(i), out _));
        }

        await engine.CompactAsync();
        Assert.Equal(1, engine.GetStatistics().Tables);

        var before = engine.GetStatistics();
        for (var i = 0; i < Hot; i++)
        {
            Assert.True(engine.TryGet(Key(i), out var value));
            Assert.Equal(Value(i, 2), value);
        }

        var after = engine.GetStatistics();
        Assert.Equal(before.CacheMisses, after.CacheMisses);
        Assert.Equal(Hot, after.CacheHits - before.CacheHits);

        // The rest of the output was not loaded: a key nobody read before the compaction misses.
        Assert.True(engine.TryGet(Key(Keys - 1), out _));
        Assert.Equal(after.CacheMisses + 1, engine.GetStatistics().CacheMisses);
    }
}
