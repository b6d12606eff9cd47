// Per-key mutual exclusion for a node's replicas: the read-merge-write of a key must not interleave with
// another of the same key, while different keys proceed concurrently. Keys hash onto a fixed set of
// async locks (stripes), so acquiring one allocates nothing and no per-key entry has to be tracked or
// freed; two keys that share a stripe merely wait for each other. One operation holds one stripe at a
// time, so stripes cannot deadlock.

using System.IO.Hashing;

namespace GrainKV.Grains.Replicas;

/// <summary>A fixed set of async locks chosen by key hash. Thread-safe.</summary>
public sealed class StripedLock
{
    private readonly SemaphoreSlim[] _stripes;

    /// <param name="stripes">Number of stripes, a power of two.</param>
    public StripedLock(int stripes = 1024)
    {
        if (stripes < 1 || !System.Numerics.BitOperations.IsPow2(stripes))
        {
            throw new ArgumentOutOfRangeException(nameof(stripes), stripes, "The stripe count must be a positive power of two.");
        }

        _stripes = new SemaphoreSlim[stripes];
        for (var i = 0; i < stripes; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Number of stripes (a power of two).</summary>
    public int Count => _stripes.Length;

    /// <summary>The stripe that guards <paramref name="key"/>.</summary>
    public int StripeOf(ReadOnlySpan<byte> key) => StripeOf(XxHash3.HashToUInt64(key));

    /// <summary>The stripe that guards a key whose XxHash3 is <paramref name="keyHash"/>.</summary>
    public int StripeOf(ulong keyHash) => (int)(keyHash & (ulong)(_stripes.Length - 1));

    /// <summary>Waits for the lock of <paramref name="key"/>; dispose the result to release it.</summary>
    public ValueTask<Releaser> AcquireAsync(ReadOnlyMemory<byte> key) => AcquireAsync(XxHash3.HashToUInt64(key.Span));

    /// <summary>Waits for the lock of the key whose XxHash3 is <paramref name="keyHash"/>; dispose the result to release it.</summary>
    public async ValueTask<Releaser> AcquireAsync(ulong keyHash)
    {
        var stripe = _stripes[StripeOf(keyHash)];
        await stripe.WaitAsync().ConfigureAwait(false);
        return new Releaser(stripe);
    }

    /// <summary>Releases a stripe once.</summary>
    public struct Releaser : IDisposable
    {
        private SemaphoreSlim? _stripe;

        internal Releaser(SemaphoreSlim stripe) => _stripe = stripe;

        public void Dispose() => Interlocked.Exchange(ref _stripe, null)?.Release();
    }
}
