// Where the engine holds a value: a slice of an array (a memtable's value chunk, a table's raw block, or a
// compaction's read buffer), or a tombstone. Readers that only decode the value read it in place rather than copy it
// (StorageEngine.TryRead); flushes, compactions and scans carry it in an EntryInPlace. Only a compaction's buffers
// change (from one block to the next; see EntryInPlace); every other such array never changes once written.

namespace GrainKV.Storage;

/// <summary>A found value's bytes in place (<see cref="Array"/> null: a tombstone).</summary>
internal readonly record struct StoredValue(byte[]? Array, int Offset, int Length)
{
    /// <summary>A tombstone.</summary>
    public static StoredValue Tombstone => default;

    public bool IsTombstone => Array is null;

    /// <summary>The whole of <paramref name="value"/> (null: a tombstone), not copied.</summary>
    public static StoredValue Of(byte[]? value) => value is null ? Tombstone : new StoredValue(value, 0, value.Length);

    /// <summary>The value's bytes (empty for a tombstone).</summary>
    public ReadOnlySpan<byte> Span => Array.AsSpan(Offset, Length);

    /// <summary>A copy of the value, or null for a tombstone.</summary>
    public byte[]? ToArray() => Array is null ? null : Span.ToArray();
}
