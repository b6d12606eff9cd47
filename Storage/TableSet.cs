// The live tables of one engine state, reference-counted. The engine holds one reference to the current
// set; a reader (TryGet, a Scan's enumerator) takes one for as long as it reads. A set holds one
// reference to each of its tables, so a table replaced by a compaction is closed (and its file deleted)
// when the last set that contains it is released, never under a reader.
//
// A set also holds a reference to every memtable of every state published with it: those of the state that
// introduced it and each active memtable a rotation added under it (a rotation keeps the set). A reader holds the
// set of the state it read, so it holds every memtable it can reach; a memtable's value chunks go back to the
// engine's pool only when the last set listing it is released (MemTable.Release), never under a reader.

using System.Collections.Immutable;
using GrainKV.Storage.Memory;
using GrainKV.Storage.Table;

namespace GrainKV.Storage;

/// <summary>An immutable, reference-counted list of tables, newest first, and the memtables of its states.</summary>
public sealed class TableSet
{
    private readonly List<MemTable> _memTables;
    private int _references = 1;

    /// <summary>Creates a set holding one reference to each table and memtable; the creator holds the set's first reference.</summary>
    internal TableSet(ImmutableArray<TableReader> tables, IEnumerable<MemTable> memTables)
    {
        Tables = tables;
        foreach (var table in tables)
        {
            table.AddReference();
        }

        _memTables = [.. memTables];
        foreach (var memTable in _memTables)
        {
            memTable.AddReference();
        }
    }

    public ImmutableArray<TableReader> Tables { get; }

    /// <summary>Takes a reference unless the set was already released by everyone (then the caller reads a newer state).</summary>
    public bool TryAcquire()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Under the engine's state lock, while this set is the current state's: references
    /// <paramref name="memTable"/>, the active memtable of a state published with this set by a rotation.</summary>
    internal void AddMemTable(MemTable memTable)
    {
        memTable.AddReference();
        _memTables.Add(memTable);
    }

    /// <summary>Drops a reference; the last one releases every table and memtable.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            foreach (var table in Tables)
            {
                table.Release();
            }

            foreach (var memTable in _memTables)
            {
                memTable.Release();
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A table set was released more often than acquired.");
        }
    }
}
