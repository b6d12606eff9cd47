// Maps a key to its key range: h = XxHash64(key), and the 64-bit circle is cut into Q equal ranges
// (Q a power of two fixed when the cluster is created), so the range is the top log2(Q) bits of h.

using System.IO.Hashing;

namespace GrainKV.Partitioning;

/// <summary>The partition function shared by clients and silos.</summary>
public static class KeyPartitioner
{
    /// <summary>Default number of key ranges (Q).</summary>
    public const int DefaultRangeCount = 1024;

    /// <summary>Position of <paramref name="key"/> on the hash circle.</summary>
    public static ulong Hash(ReadOnlySpan<byte> key) => XxHash64.HashToUInt64(key);

    /// <summary>The range (0..<paramref name="rangeCount"/>-1) holding <paramref name="key"/>.</summary>
    public static int RangeOf(ReadOnlySpan<byte> key, int rangeCount) => RangeOfHash(Hash(key), rangeCount);

    /// <summary>The range holding hash <paramref name="hash"/>.</summary>
    public static int RangeOfHash(ulong hash, int rangeCount)
    {
        CheckRangeCount(rangeCount);
        return (int)(hash >> (64 - System.Numerics.BitOperations.Log2((uint)rangeCount)));
    }

    /// <summary>The largest range count (Q) a cluster may have.</summary>
    public const int MaxRangeCount = 1 << 20;

    /// <summary>True if <paramref name="rangeCount"/> is a power of two between 2 and <see cref="MaxRangeCount"/>.</summary>
    public static bool IsValidRangeCount(int rangeCount) =>
        rangeCount >= 2 && rangeCount <= MaxRangeCount && System.Numerics.BitOperations.IsPow2(rangeCount);

    /// <summary>Throws unless <paramref name="rangeCount"/> is a power of two between 2 and 2^20.</summary>
    public static void CheckRangeCount(int rangeCount)
    {
        if (!IsValidRangeCount(rangeCount))
        {
            throw new ArgumentOutOfRangeException(nameof(rangeCount), rangeCount, "The range count must be a power of two between 2 and 2^20.");
        }
    }
}
