using GrainKV.Grains.Replicas;
using GrainKV.Versioning;
// Per-key locks of a node's replicas: one holder per key at a time, released once however often the
// release is disposed, and keys on different stripes do not wait for each other.


namespace GrainKV.Tests.Replicas;

public sealed class StripedLockTests
{
    private static byte[] Key(int i) => BitConverter.GetBytes(i);

    [Fact]
    public async Task ASecondHolderOfAKeyWaitsForTheFirst()
    {
        var locks = new StripedLock(16);
        var first = await locks.AcquireAsync(Key(1));
        var second = locks.AcquireAsync(Key(1)).AsTask();
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose();
        using (await second)
        {
            Assert.False(locks.AcquireAsync(Key(1)).IsCompleted);
        }
    }

    [Fact]
    public async Task KeysOnOtherStripesDoNotWait()
    {
        var locks = new StripedLock(16);
        var other = Enumerable.Range(2, 1000).First(i => locks.StripeOf(Key(i)) != locks.StripeOf(Key(1)));
        using (await locks.AcquireAsync(Key(1)))
        {
            var task = locks.AcquireAsync(Key(other));
            Assert.True(task.IsCompletedSuccessfully);
            (await task).Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentReadModifyWritesOfOneKeyDoNotInterleave()
    {
        var locks = new StripedLock();
        var value = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                using (await locks.AcquireAsync(Key(7)))
                {
                    var read = value;
                    await Task.Yield();
                    value = read + 1;
                }
            }
        })));

        Assert.Equal(4000, value);
    }

    [Fact]
    public void TheStripeCountMustBeAPowerOfTwo() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StripedLock(12));
}
