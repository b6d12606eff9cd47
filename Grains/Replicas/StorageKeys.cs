// How a replica's keys are laid out in the node's engine. All ranges of a node share one engine, so each
// key is prefixed with its range, big-endian, which keeps a range's keys contiguous for ordered scans:
//
//   [range: 4 bytes, big-endian uint32][user key bytes]

using System.Buffers.Binary;

namespace GrainKV.Grains.Replicas;

/// <summary>Encodes engine keys for the replicas of a node.</summary>
public static class StorageKeys
{
    /// <summary>Length of the range prefix.</summary>
    public const int PrefixSize = 4;

    /// <summary>The engine key of <paramref name="key"/> in <paramref name="range"/>.</summary>
    public static byte[] Encode(int range, ReadOnlySpan<byte> key)
    {
        var result = new byte[PrefixSize + key.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)range);
        key.CopyTo(result.AsSpan(PrefixSize));
        return result;
    }

    /// <summary>The first engine key of <paramref name="range"/>.</summary>
    public static byte[] RangeStart(int range) => Encode(range, ReadOnlySpan<byte>.Empty);

    /// <summary>The first engine key past <paramref name="range"/> (empty for the last range: unbounded).</summary>
    public static byte[] RangeEnd(int range) => range == int.MaxValue ? [] : Encode(range + 1, ReadOnlySpan<byte>.Empty);

    /// <summary>The user key of an engine key.</summary>
    public static ReadOnlySpan<byte> UserKey(ReadOnlySpan<byte> engineKey) => engineKey[PrefixSize..];
}
