// Merges sorted sources of entries into one sorted stream where, for each key, only the entry of the
// newest source survives. Source 0 is the newest. Tombstones are passed through: the caller decides
// whether to drop them. Entries stay in place (see EntryInPlace): a source may reuse an entry's bytes once
// it moves on, and the merge moves a source on only after its entry was consumed, keeping its own copy of
// the last key it returned to recognize the older duplicates that follow.

namespace GrainKV.Storage.Compaction;

/// <summary>K-way merge of sorted entry sources, newest source winning per key.</summary>
internal static class MergingIterator
{
    public static IEnumerable<EntryInPlace> Merge(IReadOnlyList<IEnumerable<EntryInPlace>> sourcesNewestFirst)
    {
        var queue = new PriorityQueue<(IEnumerator<EntryInPlace> Source, int Rank), (ReadOnlyMemory<byte> Key, int Rank)>(KeyThenRank.Instance);
        var sources = new List<IEnumerator<EntryInPlace>>();
        try
        {
            for (var rank = 0; rank < sourcesNewestFirst.Count; rank++)
            {
                var source = sourcesNewestFirst[rank].GetEnumerator();
                sources.Add(source);
                if (source.MoveNext())
                {
                    queue.Enqueue((source, rank), (source.Current.Key, rank));
                }
            }

            var previous = new KeyCopy();
            while (queue.TryDequeue(out var item, out _))
            {
                var entry = item.Source.Current;
                if (!previous.Holds(entry.Key))
                {
                    previous.Set(entry.Key);
                    yield return entry;
                }

                if (item.Source.MoveNext())
                {
                    queue.Enqueue(item, (item.Source.Current.Key, item.Rank));
                }
            }
        }
        finally
        {
            foreach (var source in sources)
            {
                source.Dispose();
            }
        }
    }

    /// <summary>A copy of a key in a buffer reused from key to key (none at first).</summary>
    private sealed class KeyCopy
    {
        private byte[] _bytes = new byte[64];
        private int _length = -1;

        public bool Holds(ReadOnlyMemory<byte> key) => _length >= 0 && key.Span.SequenceEqual(_bytes.AsSpan(0, _length));

        public void Set(ReadOnlyMemory<byte> key)
        {
            if (_bytes.Length < key.Length)
            {
                _bytes = new byte[Math.Max(key.Length, _bytes.Length * 2)];
            }

            key.Span.CopyTo(_bytes);
            _length = key.Length;
        }
    }

    private sealed class KeyThenRank : IComparer<(ReadOnlyMemory<byte> Key, int Rank)>
    {
        public static KeyThenRank Instance { get; } = new();

        public int Compare((ReadOnlyMemory<byte> Key, int Rank) x, (ReadOnlyMemory<byte> Key, int Rank) y)
        {
            var order = x.Key.Span.SequenceCompareTo(y.Key.Span);
            return order != 0 ? order : x.Rank.CompareTo(y.Rank);
        }
    }
}
