// The in-memory write buffer: the newest version of each key written since the last flush, in key order.
// A tombstone (null value) shadows older versions of the key in tables below it.

namespace GrainKV.Storage.Memory;

/// <summary>A sorted map from key to latest value or tombstone; safe for concurrent readers and writers.</summary>
public sealed class MemTable
{
    private readonly SortedDictionary<byte[], byte[]?> _entries = new(ByteArrayComparer.Instance);
    private readonly Lock _lock = new();
    private long _approximateBytes;

    /// <summary>Approximate memory held by keys and values.</summary>
    public long ApproximateBytes => Interlocked.Read(ref _approximateBytes);

    /// <summary>Number of keys, tombstones included.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Records the latest version of <paramref name="key"/>: a value, or a tombstone when null.</summary>
    public void Set(byte[] key, byte[]? value)
    {
        lock (_lock)
        {
            _entries[key] = value;
        }

        Interlocked.Add(ref _approximateBytes, key.Length + (value?.Length ?? 0) + 32);
    }

    /// <summary>Looks <paramref name="key"/> up. Returns false if the memtable knows nothing of it;
    /// true with a null <paramref name="value"/> if the key is deleted here.</summary>
    public bool TryGet(byte[] key, out byte[]? value)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out value);
        }
    }

    /// <summary>A point-in-time copy of the entries in [<paramref name="from"/>, <paramref name="to"/>), tombstones included.</summary>
    public List<KeyValuePair<byte[], byte[]?>> Snapshot(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        var result = new List<KeyValuePair<byte[], byte[]?>>();
        lock (_lock)
        {
            foreach (var entry in _entries)
            {
                if (entry.Key.AsSpan().SequenceCompareTo(from) < 0)
                {
                    continue;
                }

                if (!to.IsEmpty && entry.Key.AsSpan().SequenceCompareTo(to) >= 0)
                {
                    break;
                }

                result.Add(entry);
            }
        }

        return result;
    }
}
