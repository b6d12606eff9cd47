// The key space: every key hashes to a 64-bit token h = XxHash64(key, seed 0), and the 64-bit
// circle is cut into Q equal, contiguous key ranges (Q a power of two, fixed when the cluster is
// created). Range r covers the tokens [r * 2^64/Q, (r + 1) * 2^64/Q - 1], so the range of a token is
// simply its top log2(Q) bits. Ranges, not keys, are the unit of ownership, transfer and Merkle trees
// (Dynamo's "strategy 3").

using GrainKV.Partitioning;
using System.Numerics;

namespace GrainKV.Grains.Ring;

/// <summary>The 64-bit hash circle cut into <see cref="RangeCount"/> equal key ranges.</summary>
public sealed class KeySpace
{
    /// <summary>The largest supported number of ranges (2^20).</summary>
    public const int MaxRangeCount = KeyPartitioner.MaxRangeCount;

    private readonly int _shift;

    /// <param name="rangeCount">Q: a power of two between 1 and <see cref="MaxRangeCount"/>.</param>
    public KeySpace(int rangeCount)
    {
        if (rangeCount < 1 || rangeCount > MaxRangeCount || !BitOperations.IsPow2(rangeCount))
        {
            throw new ArgumentOutOfRangeException(nameof(rangeCount), rangeCount,
                $"The range count must be a power of two between 1 and {MaxRangeCount}.");
        }

        RangeCount = rangeCount;
        RangeBits = BitOperations.Log2((uint)rangeCount);
        _shift = 64 - RangeBits;
    }

    /// <summary>Q, the number of key ranges.</summary>
    public int RangeCount { get; }

    /// <summary>log2(Q): how many top bits of a token name its range.</summary>
    public int RangeBits { get; }

    /// <summary>The token of a key: XxHash64 with seed 0.</summary>
    public static ulong Hash(ReadOnlySpan<byte> key) => KeyPartitioner.Hash(key);

    /// <summary>The range holding <paramref name="key"/>.</summary>
    public int RangeOf(ReadOnlySpan<byte> key) => RangeOfToken(Hash(key));

    /// <summary>The range holding <paramref name="token"/>.</summary>
    public int RangeOfToken(ulong token) => RangeBits == 0 ? 0 : KeyPartitioner.RangeOfHash(token, RangeCount);

    /// <summary>The first token of <paramref name="range"/>.</summary>
    public ulong RangeStart(int range)
    {
        CheckRange(range);
        return RangeBits == 0 ? 0UL : (ulong)range << _shift;
    }

    /// <summary>The last token of <paramref name="range"/> (inclusive; ranges never wrap).</summary>
    public ulong RangeEnd(int range)
    {
        CheckRange(range);
        return RangeBits == 0 ? ulong.MaxValue : ((ulong)range << _shift) | (ulong.MaxValue >> RangeBits);
    }

    private void CheckRange(int range)
    {
        if ((uint)range >= (uint)RangeCount)
        {
            throw new ArgumentOutOfRangeException(nameof(range), range, $"A range is between 0 and {RangeCount - 1}.");
        }
    }
}
