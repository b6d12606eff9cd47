// A key's first 16 bytes as two big-endian integers, zero-padded: two unequal prefixes order their keys
// without reading either key's array, which saves a cache miss per step of a skip-list search (or of a table's
// block search). Keys of up to 16 bytes (the usual case) are then compared in the node itself; equal prefixes
// fall back to the bytes.

using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace GrainKV.Storage.Memory;

/// <summary>The first 16 bytes of a key, zero-padded, as two unsigned big-endian integers.</summary>
internal readonly record struct KeyPrefix(ulong High, ulong Low)
{
    private const int Size = 2 * sizeof(ulong);

    public static KeyPrefix Of(ReadOnlySpan<byte> key)
    {
        if (key.Length >= Size)
        {
            return new KeyPrefix(BinaryPrimitives.ReadUInt64BigEndian(key), BinaryPrimitives.ReadUInt64BigEndian(key[sizeof(ulong)..]));
        }

        Span<byte> padded = stackalloc byte[Size];
        padded.Clear();
        key.CopyTo(padded);
        return new KeyPrefix(BinaryPrimitives.ReadUInt64BigEndian(padded), BinaryPrimitives.ReadUInt64BigEndian(padded[sizeof(ulong)..]));
    }

    /// <summary>The order of two keys given their prefixes: the prefixes' when they differ (the keys' bytes are not
    /// compared), else the keys' bytes (only the sign is meaningful). The keys are spans the caller already holds;
    /// where making one would read an array the prefixes may make unnecessary, compare the prefixes first
    /// (<see cref="MemTableNodes.IsBefore"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(KeyPrefix prefix, ReadOnlySpan<byte> key, KeyPrefix otherPrefix, ReadOnlySpan<byte> otherKey)
    {
        var order = prefix.CompareTo(otherPrefix);
        return order != 0 ? order : key.SequenceCompareTo(otherKey);
    }

    /// <summary>-1 or 1 when the prefixes alone order the keys; 0 when only the keys' bytes can tell.</summary>
    public int CompareTo(KeyPrefix other) =>
        High != other.High ? (High < other.High ? -1 : 1)
        : Low != other.Low ? (Low < other.Low ? -1 : 1)
        : 0;
}
