// Where the engine holds a value it found: a slice of an array that nobody changes any more (a memtable's value
// chunk, or a table's raw block), or a tombstone. Readers that only decode the value read it in place rather than
// copy it (StorageEngine.TryRead).

namespace GrainKV.Storage;

/// <summary>A found value's bytes in place (<see cref="Array"/> null: a tombstone).</summary>
internal readonly record struct StoredValue(byte[]? Array, int Offset, int Length)
{
    /// <summary>A tombstone.</summary>
    public static StoredValue Tombstone => default;

    public bool IsTombstone => Array is null;

    /// <summary>The value's bytes (empty for a tombstone).</summary>
    public ReadOnlySpan<byte> Span => Array.AsSpan(Offset, Length);

    /// <summary>A copy of the value, or null for a tombstone.</summary>
    public byte[]? ToArray() => Array is null ? null : Span.ToArray();
}
