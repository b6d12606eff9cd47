// How often each key was asked for lately, approximately, in a few bytes per cached block: a count-min sketch of
// four rows of 4-bit counters (after TinyLFU, Einziger, Friedman and Manes, and Caffeine's FrequencySketch). A key
// counts in one counter per row; its estimate is the smallest of its four, which overstates only where another key
// shares all four. When the additions reach ten times the width, every counter is halved, so that the sketch
// describes the recent past and a block popular an hour ago does not outrank one popular now.

using System.Numerics;

namespace GrainKV.Storage.Cache;

/// <summary>Approximate recent access counts (0–15) of 64-bit key hashes. Not thread-safe: the owner serializes calls.</summary>
internal sealed class FrequencySketch
{
    /// <summary>The largest count a counter holds.</summary>
    public const int MaxCount = 15;

    private const int Rows = 4;

    private readonly byte[] _counters;
    private readonly int _mask;
    private readonly int _sampleSize;
    private int _additions;

    /// <param name="expectedKeys">About how many keys the owner holds at once (the width of each row, rounded up to a power of two).</param>
    public FrequencySketch(int expectedKeys)
    {
        var width = (int)Math.Min(1 << 24, BitOperations.RoundUpToPowerOf2((uint)Math.Max(expectedKeys, 16)));
        _counters = new byte[Rows * width];
        _mask = width - 1;
        _sampleSize = 10 * width;
    }

    /// <summary>Additions after which every counter is halved.</summary>
    public int SampleSize => _sampleSize;

    /// <summary>Counts one access of <paramref name="hash"/>. Only the counters at the key's current estimate are
    /// raised (conservative update), which keeps the estimates of keys sharing a counter closer to their truth.</summary>
    public void Increment(ulong hash)
    {
        var estimate = Estimate(hash);
        if (estimate < MaxCount)
        {
            for (var row = 0; row < Rows; row++)
            {
                ref var counter = ref _counters[Index(hash, row)];
                if (counter == estimate)
                {
                    counter++;
                }
            }
        }

        if (++_additions >= _sampleSize)
        {
            Halve();
        }
    }

    /// <summary>The estimated recent accesses of <paramref name="hash"/>: never fewer than counted since the last halving
    /// (up to <see cref="MaxCount"/>), more only where other keys share every counter.</summary>
    public int Estimate(ulong hash)
    {
        var estimate = int.MaxValue;
        for (var row = 0; row < Rows; row++)
        {
            estimate = Math.Min(estimate, _counters[Index(hash, row)]);
        }

        return estimate;
    }

    private void Halve()
    {
        for (var i = 0; i < _counters.Length; i++)
        {
            _counters[i] >>= 1;
        }

        _additions /= 2;
    }

    /// <summary>Row <paramref name="row"/>'s counter of <paramref name="hash"/>, by double hashing of its two halves.</summary>
    private int Index(ulong hash, int row)
    {
        var first = (uint)hash;
        var step = (uint)(hash >> 32) | 1;
        return (row * (_mask + 1)) + (int)((first + ((uint)row * step)) & (uint)_mask);
    }
}
