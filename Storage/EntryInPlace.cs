// An entry as the engine streams it through flushes, compactions and scans: its key and value are slices of buffers
// its source owns (a memtable's key array and value chunk, a table's raw block, or a compaction's read buffers), so
// a merge of millions of entries copies none of them until it writes them out. Most sources never change those
// buffers; a table read for a compaction (TableReader.Stream) reuses its own, so there a slice is valid only until
// the source moves to its next entry. Whoever keeps an entry longer copies it (MergingIterator keeps its last key,
// TableWriter its block's last key, a scan every entry it returns).

using GrainKV.Storage.Table;

namespace GrainKV.Storage;

/// <summary>A key and its value (or tombstone) in place, valid as long as its source says.</summary>
internal readonly record struct EntryInPlace(ReadOnlyMemory<byte> Key, StoredValue Value)
{
    /// <summary>The entry of <paramref name="entry"/>'s arrays, not copied.</summary>
    public static EntryInPlace Of(TableEntry entry) => new(entry.Key, StoredValue.Of(entry.Value));

    /// <summary>A copy that outlives the source.</summary>
    public TableEntry ToTableEntry() => new(Key.ToArray(), Value.ToArray());
}
