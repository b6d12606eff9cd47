// Tests compare what the engine streams in place (EntryInPlace) as plain copies.

namespace GrainKV.Storage.Tests;

internal static class InPlaceCopies
{
    /// <summary>Each entry copied as a key and a value (null for a tombstone).</summary>
    public static List<KeyValuePair<byte[], byte[]?>> Copied(this IEnumerable<EntryInPlace> entries) =>
        entries.Select(e => KeyValuePair.Create(e.Key.ToArray(), e.Value.ToArray())).ToList();
}
