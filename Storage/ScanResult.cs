// The result of StorageEngine.Scan: a point-in-time merge of the memtables' entries (in place) and of the
// tables of the state the scan was started on. It holds a reference to those tables (so a compaction
// cannot close them under it) until its enumerator is disposed; a foreach does that. A scan never
// enumerated releases its reference when it is finalized.

using GrainKV.Storage.Compaction;
using GrainKV.Storage.Table;

namespace GrainKV.Storage;

/// <summary>Live entries of a range as of the <see cref="StorageEngine.Scan"/> call.</summary>
internal sealed class ScanResult : IEnumerable<KeyValuePair<byte[], byte[]>>
{
    private readonly TableSet _tables;
    private readonly List<IEnumerable<EntryInPlace>> _memTables;
    private readonly byte[] _from;
    private readonly byte[] _to;
    private int _firstReferenceTaken;

    /// <summary>Takes over the caller's reference to <paramref name="tables"/>.</summary>
    public ScanResult(TableSet tables, List<IEnumerable<EntryInPlace>> memTables, byte[] from, byte[] to)
    {
        _tables = tables;
        _memTables = memTables;
        _from = from;
        _to = to;
    }

    ~ScanResult()
    {
        if (Interlocked.Exchange(ref _firstReferenceTaken, 1) == 0)
        {
            _tables.Release();
        }
    }

    public IEnumerator<KeyValuePair<byte[], byte[]>> GetEnumerator()
    {
        // The first enumerator takes the scan's reference; a later one needs its own, which fails once the
        // tables were released (the scan's point in time is gone).
        if (Interlocked.Exchange(ref _firstReferenceTaken, 1) != 0 && !_tables.TryAcquire())
        {
            throw new InvalidOperationException("The tables of this scan were released after its first enumeration; call Scan again.");
        }

        GC.SuppressFinalize(this);
        var sources = new List<IEnumerable<EntryInPlace>>(_memTables);
        sources.AddRange(_tables.Tables.Select(t => t.Scan(_from, _to)));
        return new Enumerator(_tables, Live(sources).GetEnumerator());
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The merge's live entries, each copied (the one copy a scan makes).</summary>
    private static IEnumerable<KeyValuePair<byte[], byte[]>> Live(List<IEnumerable<EntryInPlace>> sources)
    {
        foreach (var entry in MergingIterator.Merge(sources))
        {
            if (entry.Value.ToArray() is { } value)
            {
                yield return new KeyValuePair<byte[], byte[]>(entry.Key.ToArray(), value);
            }
        }
    }

    /// <summary>Releases its reference to the tables once, when disposed.</summary>
    private sealed class Enumerator(TableSet tables, IEnumerator<KeyValuePair<byte[], byte[]>> inner) : IEnumerator<KeyValuePair<byte[], byte[]>>
    {
        private int _released;

        public KeyValuePair<byte[], byte[]> Current => inner.Current;

        object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext() => inner.MoveNext();

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            inner.Dispose();
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                tables.Release();
            }
        }
    }
}
