// The block cache alone: hits and misses, what its admission keeps once the budget is full (blocks read often stay
// while blocks read once pass through; a block read again soon is a hit; a block read more often than the least
// recent one replaces it), the budget, blocks too large to cache, and dropping a deleted table's blocks.

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
    public void BlocksReadOftenStayWhileBlocksReadOnceStreamPast()
    {
        // Four hot blocks, one of them read after every fourth block of a stream read once each: between two reads of a
        // hot block come 15 other blocks, more than the 10 the budget holds, so an LRU cache would miss every hot read.
        var cache = new BlockCache(10 * BlockSize, BlockSize);
        var hotLoads = 0;
        for (var i = 0; i < 4000; i++)
        {
            Get(cache, 2, i);
            if (i % 4 == 3)
            {
                var before = _loads.Count;
                Get(cache, 1, i / 4 % 4);
                if (i >= 400 && _loads.Count > before)
                {
                    hotLoads++;
                }
            }
        }

        Assert.Equal(0, hotLoads);
        Assert.True(cache.Rejections > 3000, $"{cache.Rejections} blocks rejected");
        Assert.InRange(cache.Bytes, 0, 10 * BlockSize);
    }

    [Fact]
    public void ABlockReadAgainSoonAfterItsLoadIsAHitEvenWhenTheCacheIsFullOfPopularBlocks()
    {
        var cache = new BlockCache(100 * BlockSize, BlockSize);
        for (var round = 0; round < 5; round++)
        {
            for (var offset = 0; offset < 100; offset++)
            {
                Get(cache, 1, offset);
            }
        }

        _loads.Clear();
        Get(cache, 2, 0);
        Get(cache, 2, 0);

        Assert.Equal([(2L, 0L)], _loads);
    }

    [Fact]
    public void ABlockReadMoreOftenThanTheLeastRecentMainBlockReplacesIt()
    {
        var cache = new BlockCache(10 * BlockSize, BlockSize);
        for (var offset = 0; offset < 10; offset++)
        {
            Get(cache, 1, offset); // each read once: the budget is full
        }

        Get(cache, 2, 0); // pushes (1, 9), read once like the main region's least recent block, out of the window: rejected
        Get(cache, 2, 0);
        Get(cache, 2, 0); // three reads: more than any block of table 1
        Get(cache, 2, 1); // pushes (2, 0) out of the window, into the main region
        Get(cache, 2, 2); // pushes (2, 1), read once, out of the window: rejected
        _loads.Clear();

        Get(cache, 2, 0);
        Get(cache, 2, 1);

        Assert.Equal([(2L, 1L)], _loads); // its load pushes (2, 2) out of the window: rejected
        Assert.Equal(3, cache.Rejections);
        Assert.Equal(10 * BlockSize, cache.Bytes);
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

        Get(cache, 1, 2); // the window's block: the others are in the main region

        cache.RemoveTable(1);

        Assert.Equal(BlockSize, cache.Bytes);
        _loads.Clear();
        Get(cache, 2, 0);
        Get(cache, 1, 0);
        Assert.Equal([(1L, 0L)], _loads);
    }
}
