// The in-memory write buffer: the newest version of each key written since the last flush, in key order.
// A tombstone (null value) shadows older versions of the key in tables below it. A red-black tree
// (SortedSet) gives O(log n) updates, lookups and range seeks.

namespace GrainKV.Storage.Memory;

/// <summary>A sorted map from key to latest value or tombstone; safe for concurrent readers and writers.</summary>
public sealed class MemTable
{
    private readonly SortedSet<Slot> _slots = new(SlotComparer.Instance);
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
                return _slots.Count;
            }
        }
    }

    /// <summary>Records the latest version of <paramref name="key"/>: a value, or a tombstone when null.</summary>
    public void Set(byte[] key, byte[]? value)
    {
        lock (_lock)
        {
            var probe = new Slot(key, value);
            if (_slots.TryGetValue(probe, out var existing))
            {
                existing.Value = value;
            }
            else
            {
                _slots.Add(probe);
            }
        }

        Interlocked.Add(ref _approximateBytes, key.Length + (value?.Length ?? 0) + 64);
    }

    /// <summary>Looks <paramref name="key"/> up. Returns false if the memtable knows nothing of it;
    /// true with a null <paramref name="value"/> if the key is deleted here.</summary>
    public bool TryGet(byte[] key, out byte[]? value)
    {
        lock (_lock)
        {
            if (_slots.TryGetValue(new Slot(key, null), out var slot))
            {
                value = slot.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>A point-in-time copy of the entries in [<paramref name="from"/>, <paramref name="to"/>), tombstones
    /// included; an empty <paramref name="to"/> means no upper bound.</summary>
    public List<KeyValuePair<byte[], byte[]?>> Snapshot(byte[] from, byte[] to)
    {
        var result = new List<KeyValuePair<byte[], byte[]?>>();
        lock (_lock)
        {
            if (_slots.Count == 0 || _slots.Max is not { } max)
            {
                return result;
            }

            var upper = to.Length == 0 ? max : new Slot(to, null);
            if (SlotComparer.Instance.Compare(new Slot(from, null), upper) > 0)
            {
                return result;
            }

            foreach (var slot in _slots.GetViewBetween(new Slot(from, null), upper))
            {
                if (to.Length > 0 && slot.Key.AsSpan().SequenceCompareTo(to) >= 0)
                {
                    break;
                }

                result.Add(new KeyValuePair<byte[], byte[]?>(slot.Key, slot.Value));
            }
        }

        return result;
    }

    private sealed class Slot(byte[] key, byte[]? value)
    {
        public byte[] Key { get; } = key;

        public byte[]? Value { get; set; } = value;
    }

    private sealed class SlotComparer : IComparer<Slot>
    {
        public static SlotComparer Instance { get; } = new();

        public int Compare(Slot? x, Slot? y) => ByteArrayComparer.Instance.Compare(x!.Key, y!.Key);
    }
}
