// The live tables of one engine state, reference-counted. The engine holds one reference to the current
// set; a reader (TryGet, a Scan's enumerator) takes one for as long as it reads. A set holds one
// reference to each of its tables, so a table replaced by a compaction is closed (and its file deleted)
// when the last set that contains it is released, never under a reader.

using System.Collections.Immutable;
using GrainKV.Storage.Table;

namespace GrainKV.Storage;

/// <summary>An immutable, reference-counted list of tables, newest first.</summary>
public sealed class TableSet
{
    private int _references = 1;

    /// <summary>Creates a set holding one reference to each table; the creator holds the set's first reference.</summary>
    public TableSet(ImmutableArray<TableReader> tables)
    {
        Tables = tables;
        foreach (var table in tables)
        {
            table.AddReference();
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

    /// <summary>Drops a reference; the last one releases every table.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            foreach (var table in Tables)
            {
                table.Release();
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A table set was released more often than acquired.");
        }
    }
}
