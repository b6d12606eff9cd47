// Merges sorted sources of entries into one sorted stream where, for each key, only the entry of the
// newest source survives. Source 0 is the newest. Tombstones are passed through (null values): the
// caller decides whether to drop them.

using GrainKV.Storage.Table;

namespace GrainKV.Storage.Compaction;

/// <summary>K-way merge of sorted entry sources, newest source winning per key.</summary>
public static class MergingIterator
{
    public static IEnumerable<TableEntry> Merge(IReadOnlyList<IEnumerable<TableEntry>> sourcesNewestFirst)
    {
        var queue = new PriorityQueue<(IEnumerator<TableEntry> Source, int Rank), (byte[] Key, int Rank)>(KeyThenRank.Instance);
        var sources = new List<IEnumerator<TableEntry>>();
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

            byte[]? previous = null;
            while (queue.TryDequeue(out var item, out _))
            {
                var entry = item.Source.Current;
                if (previous is null || entry.Key.AsSpan().SequenceCompareTo(previous) != 0)
                {
                    previous = entry.Key;
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

    private sealed class KeyThenRank : IComparer<(byte[] Key, int Rank)>
    {
        public static KeyThenRank Instance { get; } = new();

        public int Compare((byte[] Key, int Rank) x, (byte[] Key, int Rank) y)
        {
            var order = x.Key.AsSpan().SequenceCompareTo(y.Key);
            return order != 0 ? order : x.Rank.CompareTo(y.Rank);
        }
    }
}
