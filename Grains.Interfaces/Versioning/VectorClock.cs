// Vector clocks (R11): {nodeId: (counter, timestamp)}. The coordinator of a write increments its own
// entry; clock a happened before clock b when every counter of a is <= the same node's counter in b
// and they differ; otherwise two different clocks are concurrent and their versions are siblings.
// Per-entry wall-clock timestamps are used only to truncate a clock past a size threshold, dropping
// the oldest entries first (which can make versions look concurrent, never lose one silently).
//
// A clock is immutable; entries are kept sorted by node id (ordinal), which is also the canonical
// order of the binary encoding (ClockCodec), so equal clocks encode to equal bytes.

using System.Text;

namespace GrainKV.Versioning;

/// <summary>An immutable vector clock.</summary>
[GenerateSerializer]
[Immutable]
[Alias("GrainKV.Versioning.VectorClock")]
public sealed partial class VectorClock : IEquatable<VectorClock>
{
    /// <summary>The number of entries <see cref="Truncate"/> keeps by default.</summary>
    public const int DefaultMaxEntries = 10;

    [Id(0)]
    private readonly ClockEntry[] _entries;

    private VectorClock(ClockEntry[] sortedEntries) => _entries = sortedEntries;

    /// <summary>The clock of nothing: it happened before every other clock.</summary>
    public static VectorClock Empty { get; } = new([]);

    /// <summary>The entries, ordered by node id (ordinal).</summary>
    public IReadOnlyList<ClockEntry> Entries => _entries;

    public int Count => _entries.Length;

    /// <summary>Builds a clock from entries in any order; node ids must be distinct and not empty, counters at least 1.</summary>
    public static VectorClock FromEntries(IEnumerable<ClockEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var sorted = entries.ToArray();
        Array.Sort(sorted, (x, y) => string.CompareOrdinal(x.NodeId, y.NodeId));
        return FromSorted(sorted, static message => new ArgumentException(message, nameof(entries)));
    }

    /// <summary>The counter of <paramref name="nodeId"/>, or 0 if it has no entry.</summary>
    public ulong CounterOf(string nodeId)
    {
        var i = IndexOf(nodeId);
        return i >= 0 ? _entries[i].Counter : 0;
    }

    /// <summary>A clock with <paramref name="nodeId"/>'s counter one higher and its timestamp set to <paramref name="timestampUnixMs"/>.</summary>
    public VectorClock Increment(string nodeId, long timestampUnixMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        var i = IndexOf(nodeId);
        if (i >= 0)
        {
            var copy = (ClockEntry[])_entries.Clone();
            copy[i] = new ClockEntry(nodeId, checked(copy[i].Counter + 1), timestampUnixMs);
            return new VectorClock(copy);
        }

        var at = ~i;
        var grown = new ClockEntry[_entries.Length + 1];
        _entries.AsSpan(0, at).CopyTo(grown);
        grown[at] = new ClockEntry(nodeId, 1, timestampUnixMs);
        _entries.AsSpan(at).CopyTo(grown.AsSpan(at + 1));
        return new VectorClock(grown);
    }

    /// <summary>True when this clock is equal to or happened after <paramref name="other"/> (every counter &gt;=).</summary>
    public bool Descends(VectorClock other) => Compare(this, other) is ClockOrder.Equal or ClockOrder.After;

    /// <summary>True when this clock happened strictly after <paramref name="other"/>.</summary>
    public bool Dominates(VectorClock other) => Compare(this, other) == ClockOrder.After;

    /// <summary>How <paramref name="a"/> relates to <paramref name="b"/> (counters only; timestamps play no part).</summary>
    public static ClockOrder Compare(VectorClock a, VectorClock b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        bool aAhead = false, bAhead = false;
        int i = 0, j = 0;
        while (i < a._entries.Length || j < b._entries.Length)
        {
            var c = i == a._entries.Length ? 1
                : j == b._entries.Length ? -1
                : string.CompareOrdinal(a._entries[i].NodeId, b._entries[j].NodeId);
            if (c < 0)
            {
                aAhead = true;
                i++;
            }
            else if (c > 0)
            {
                bAhead = true;
                j++;
            }
            else
            {
                aAhead |= a._entries[i].Counter > b._entries[j].Counter;
                bAhead |= a._entries[i].Counter < b._entries[j].Counter;
                i++;
                j++;
            }
        }

        return (aAhead, bAhead) switch
        {
            (false, false) => ClockOrder.Equal,
            (true, false) => ClockOrder.After,
            (false, true) => ClockOrder.Before,
            _ => ClockOrder.Concurrent,
        };
    }

    /// <summary>The least clock that descends from both: pointwise maximum of the counters (the timestamp goes with the larger counter).</summary>
    public static VectorClock Merge(VectorClock a, VectorClock b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);

        // Clocks are immutable: merging with the empty clock is the other clock. Otherwise one array of the merged
        // length (a merge runs several times per write; a list and its copy were most of what it allocated).
        if (a._entries.Length == 0 || b._entries.Length == 0)
        {
            return a._entries.Length == 0 ? b : a;
        }

        var merged = new ClockEntry[MergedLength(a._entries, b._entries)];
        int i = 0, j = 0, k = 0;
        while (i < a._entries.Length || j < b._entries.Length)
        {
            var c = i == a._entries.Length ? 1
                : j == b._entries.Length ? -1
                : string.CompareOrdinal(a._entries[i].NodeId, b._entries[j].NodeId);
            merged[k++] = c < 0 ? a._entries[i++] : c > 0 ? b._entries[j++] : Later(a._entries[i++], b._entries[j++]);
        }

        return new VectorClock(merged);
    }

    /// <summary>How many distinct node ids two sorted entry arrays hold together.</summary>
    private static int MergedLength(ClockEntry[] a, ClockEntry[] b)
    {
        int i = 0, j = 0, length = 0;
        while (i < a.Length && j < b.Length)
        {
            var c = string.CompareOrdinal(a[i].NodeId, b[j].NodeId);
            i += c <= 0 ? 1 : 0;
            j += c >= 0 ? 1 : 0;
            length++;
        }

        return length + (a.Length - i) + (b.Length - j);
    }

    /// <summary>The merge of all <paramref name="clocks"/>; <see cref="Empty"/> when there are none.</summary>
    public static VectorClock Merge(IEnumerable<VectorClock> clocks) => clocks.Aggregate(Empty, Merge);

    /// <summary>
    /// This clock, or when it has more than <paramref name="maxEntries"/> entries, a copy without the
    /// oldest ones (smallest timestamp first; equal timestamps drop the smaller node id first).
    /// </summary>
    public VectorClock Truncate(int maxEntries = DefaultMaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        if (_entries.Length <= maxEntries)
        {
            return this;
        }

        var kept = _entries
            .OrderByDescending(e => e.TimestampUnixMs)
            .ThenByDescending(e => e.NodeId, StringComparer.Ordinal)
            .Take(maxEntries)
            .OrderBy(e => e.NodeId, StringComparer.Ordinal)
            .ToArray();
        return new VectorClock(kept);
    }

    /// <summary>Structural equality: same entries including timestamps. Use <see cref="Compare"/> for causal equality.</summary>
    public bool Equals(VectorClock? other) =>
        other is not null && (ReferenceEquals(this, other) || _entries.AsSpan().SequenceEqual(other._entries));

    public override bool Equals(object? obj) => Equals(obj as VectorClock);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var e in _entries)
        {
            hash.Add(e);
        }

        return hash.ToHashCode();
    }

    /// <summary>Like <c>[(node-a,3),(node-b,1)]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < _entries.Length; i++)
        {
            text.Append(i == 0 ? "(" : ",(").Append(_entries[i].NodeId).Append(',').Append(_entries[i].Counter).Append(')');
        }

        return text.Append(']').ToString();
    }

    private static ClockEntry Later(ClockEntry x, ClockEntry y) =>
        x.Counter != y.Counter ? (x.Counter > y.Counter ? x : y) : (x.TimestampUnixMs >= y.TimestampUnixMs ? x : y);

    private int IndexOf(string nodeId)
    {
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(_entries[mid].NodeId, nodeId);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>Checks entries already sorted by node id; the error factory decides the exception type.</summary>
    internal static VectorClock FromSorted(ClockEntry[] sorted, Func<string, Exception> error)
    {
        for (var i = 0; i < sorted.Length; i++)
        {
            if (string.IsNullOrEmpty(sorted[i].NodeId))
            {
                throw error("A clock entry has an empty node id.");
            }

            if (sorted[i].Counter == 0)
            {
                throw error($"The clock entry of '{sorted[i].NodeId}' has counter 0.");
            }

            if (i > 0 && string.CompareOrdinal(sorted[i - 1].NodeId, sorted[i].NodeId) >= 0)
            {
                throw error($"Node id '{sorted[i].NodeId}' is duplicated or out of order.");
            }
        }

        return new VectorClock(sorted);
    }
}
