// The per-range write gate anti-entropy closes while it takes a range's snapshot: closing waits for the stores
// under way in that range, holds back new ones of that range until opened, and never holds back another range.

using GrainKV.Grains.Replicas;

namespace GrainKV.Tests.Replicas;

public sealed class RangeWriteGateTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClosingWaitsForTheStoresUnderWayInTheRange()
    {
        var gate = new RangeWriteGate(4);
        var store = await gate.EnterAsync(1);

        var closing = gate.CloseAsync(1).AsTask();
        Assert.False(closing.IsCompleted);

        store.Dispose();
        using var closed = await closing.WaitAsync(Bound);
    }

    [Fact]
    public async Task AStoreOfAClosedRangeWaitsUntilItOpens()
    {
        var gate = new RangeWriteGate(4);
        var closed = await gate.CloseAsync(2);

        var store = gate.EnterAsync(2).AsTask();
        Assert.False(store.IsCompleted);

        closed.Dispose();
        (await store.WaitAsync(Bound)).Dispose();
    }

    [Fact]
    public async Task OtherRangesAreNotHeldBack()
    {
        var gate = new RangeWriteGate(4);
        using var closed = await gate.CloseAsync(0);

        var other = gate.EnterAsync(3);
        Assert.True(other.IsCompletedSuccessfully);
        (await other).Dispose();
    }

    [Fact]
    public async Task ASecondCloserWaitsForTheFirstToOpen()
    {
        var gate = new RangeWriteGate(2);
        var first = await gate.CloseAsync(0);

        var second = gate.CloseAsync(0).AsTask();
        Assert.False(second.IsCompleted);

        first.Dispose();
        using var closedAgain = await second.WaitAsync(Bound);
        Assert.False(gate.EnterAsync(0).IsCompleted);
    }

    [Fact]
    public async Task NoStoreRunsWhileTheRangeIsClosed()
    {
        var gate = new RangeWriteGate(1);
        var inside = 0;
        var violations = 0;
        var stores = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                using (await gate.EnterAsync(0))
                {
                    Interlocked.Increment(ref inside);
                    await Task.Yield();
                    Interlocked.Decrement(ref inside);
                }
            }
        })).ToArray();
        var closers = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                using (await gate.CloseAsync(0))
                {
                    if (Volatile.Read(ref inside) != 0)
                    {
                        Interlocked.Increment(ref violations);
                    }

                    await Task.Yield();
                    if (Volatile.Read(ref inside) != 0)
                    {
                        Interlocked.Increment(ref violations);
                    }
                }
            }
        });

        await Task.WhenAll([.. stores, closers]).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, violations);
    }

    [Fact]
    public async Task DisposingAPassageTwiceReleasesItOnce()
    {
        var gate = new RangeWriteGate(1);
        var first = await gate.EnterAsync(0);
        var second = await gate.EnterAsync(0);
        first.Dispose();
        first.Dispose();

        var closing = gate.CloseAsync(0).AsTask();
        Assert.False(closing.IsCompleted);
        second.Dispose();
        (await closing.WaitAsync(Bound)).Dispose();
    }
}
