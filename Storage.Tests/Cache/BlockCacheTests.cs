// The block cache alone: hits and misses, eviction of the least recently used blocks once the budget is
// exceeded, blocks too large to cache, and dropping a deleted table's blocks.

using GrainKV.Storage.Cache;

namespace GrainKV.Storage.Tests.Cache;

public sealed class BlockCacheTests
{
    private const int BlockSize = 1000;

    private readonly List<(long Table, long Offset)> _loads = [];

    /// <summary>A read through the cache, as a table does it: the cached block, or a load that is then cached.</summary>
    private byte[] Get(BlockCache cache, long table, long offset, int size = BlockSize)
    {
        if (cache.TryGet(table, offset, out var cached))
        {
            return cached;
        }

        _loads.Add((table, offset));
        var block = new byte[size];
        cache.Add(table, offset, block);
        return block;
    }

    [Fact]
    public void ASecondReadOfABlockIsAHitThatDoesNotLoadIt()
    {
        var cache = new BlockCache(10 * BlockSize);

        var first = Get(cache, 1, 0);
        var second = Get(cache, 1, 0);

        Assert.Same(first, second);
        Assert.Single(_loads);
        Assert.Equal((1L, 1L), (cache.Hits, cache.Misses));
        Assert.Equal(BlockSize, cache.Bytes);
    }

    [Fact]
    public void BlocksPastTheCapacityEvictTheLeastRecentlyUsed()
    {
        var cache = new BlockCache(4 * BlockSize);
        for (var offset = 0; offset < 4; offset++)
        {
            Get(cache, 1, offset);
        }

        Get(cache, 1, 0); // block 0 is now the most recently used; block 1 the least
        Get(cache, 1, 4);

        Assert.Equal(4 * BlockSize, cache.Bytes);
        _loads.Clear();
        Get(cache, 1, 0);
        Get(cache, 1, 2);
        Get(cache, 1, 3);
        Get(cache, 1, 4);
        Assert.Empty(_loads);
        Get(cache, 1, 1);
        Assert.Equal([(1L, 1L)], _loads);
    }

    [Fact]
    public void TheCachedBytesNeverExceedTheCapacity()
    {
        var cache = new BlockCache(10 * BlockSize);
        for (var offset = 0; offset < 100; offset++)
        {
            Get(cache, offset % 3, offset, size: BlockSize + (offset % 7) * 100);
            Assert.InRange(cache.Bytes, 0, 10 * BlockSize);
        }
    }

    [Fact]
    public void ABlockLargerThanAQuarterOfTheCapacityIsNotCached()
    {
        var cache = new BlockCache(4 * BlockSize);

        Get(cache, 1, 0, size: BlockSize + 1);
        Get(cache, 1, 0, size: BlockSize + 1);

        Assert.Equal(2, _loads.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void ACacheOfNoCapacityCachesNothing()
    {
        var cache = new BlockCache(0);

        Get(cache, 1, 0, size: 1);
        Get(cache, 1, 0, size: 1);

        Assert.Equal(2, _loads.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void RemovingATableDropsOnlyItsBlocks()
    {
        var cache = new BlockCache(10 * BlockSize);
        Get(cache, 1, 0);
        Get(cache, 2, 0);
        Get(cache, 1, 1);

        cache.RemoveTable(1);

        Assert.Equal(BlockSize, cache.Bytes);
        _loads.Clear();
        Get(cache, 2, 0);
        Get(cache, 1, 0);
        Assert.Equal([(1L, 0L)], _loads);
    }
}
