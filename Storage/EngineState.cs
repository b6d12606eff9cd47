// The engine's read view at one moment: the active memtable, the immutable memtables waiting to be
// flushed, and the live tables, each list newest first. Replaced as a whole (copy on write), so a
// reader that took it sees a consistent point in time without locks. A reader holds a reference to the
// state's TableSet while it reads: that keeps the state's tables open and its memtables' value chunks out of
// the engine's pool (see TableSet).

using System.Collections.Immutable;
using GrainKV.Storage.Memory;
using GrainKV.Storage.Table;

namespace GrainKV.Storage;

/// <summary>An immutable memtable, the log address just past its last record and the sequence number of the next record.</summary>
public sealed record FrozenMemTable(MemTable Table, long LogEnd, long NextSequence);

/// <summary>Copy-on-write view of memtables and tables.</summary>
public sealed record EngineState(MemTable Active, ImmutableArray<FrozenMemTable> Immutables, TableSet TableSet)
{
    /// <summary>The live tables, newest first.</summary>
    public ImmutableArray<TableReader> Tables => TableSet.Tables;
}
