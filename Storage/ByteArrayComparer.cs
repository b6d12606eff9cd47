// Lexicographic ordering of byte strings: the key order of every sorted structure in the engine.

namespace GrainKV.Storage;

/// <summary>Orders keys as unsigned byte strings (memcmp order, shorter prefix first).</summary>
public sealed class ByteArrayComparer : IComparer<byte[]>
{
    public static ByteArrayComparer Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
