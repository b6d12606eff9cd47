// Operations on the set of versions a replica keeps for one key: merging (dropping versions another
// version's causal past covers), the causal context of a set, and creating a new version on a node.
//
// Guarantees (docs/ARCHITECTURE.md, "Versions and what they guarantee"):
// - Merging never loses a version that no other version in the set covers. Copies of one write (same
//   dot, past, timestamp and value) collapse to one; two *different* versions with the same dot (a dot
//   issued twice) are both kept, as siblings, and reported, never resolved by "first seen wins".
// - Truncating a new version's past (MaxClockEntries) keeps every entry that supersedes a version the
//   creating replica holds; it drops only the oldest of the others. What truncation may cost is an extra
//   sibling (a version elsewhere that the writer had seen comes back beside the new one); it never makes
//   a version disappear, because dot counters do not come from the clock (NodeIncarnation issues them).
//
// Expiry (docs/ARCHITECTURE.md, "Expiry"): expiry belongs to one version, not to the key. Merging ignores it (an
// expired version is still a version: it stays until a write whose context covers it, or anti-entropy's purge,
// removes it), so replicas merge the same way whatever their clocks say. A key reads as absent when none of its
// versions is live (a value not expired); its context still names the expired versions, so a write with it
// supersedes them.

using GrainKV.Versioning;

namespace GrainKV.Versioning;

/// <summary>Pure functions over sets of <see cref="StoredVersion"/>s.</summary>
public static class VersionSet
{
    /// <summary>The versions not obsoleted by any other, one per write, in a canonical order (dot, then content).</summary>
    public static StoredVersion[] Merge(IEnumerable<StoredVersion> versions) => Merge(versions, out _);

    /// <summary>Like <see cref="Merge(IEnumerable{StoredVersion})"/>; <paramref name="dotConflict"/> tells whether two
    /// different versions with one dot were met (both are kept).</summary>
    public static StoredVersion[] Merge(IEnumerable<StoredVersion> versions, out bool dotConflict)
    {
        // Sets are small (usually one version, a few siblings at most): quadratic scans beat hashing. A merge runs on
        // every write, so it allocates no delegate per version and sizes its lists once.
        dotConflict = false;
        var all = versions.TryGetNonEnumeratedCount(out var count) ? new List<StoredVersion>(count) : [];
        foreach (var version in versions)
        {
            AddUnlessCopy(all, version, ref dotConflict);
        }

        var live = new List<StoredVersion>(all.Count);
        foreach (var version in all)
        {
            if (!IsObsoletedByAny(version, all))
            {
                live.Add(version);
            }
        }

        live.Sort(CanonicalOrder);
        return [.. live];
    }

    /// <summary>Adds <paramref name="version"/> to <paramref name="all"/> unless it holds the same write (a copy); notes
    /// in <paramref name="dotConflict"/> a different version with the same dot.</summary>
    private static void AddUnlessCopy(List<StoredVersion> all, StoredVersion version, ref bool dotConflict)
    {
        foreach (var kept in all)
        {
            if (kept.SameDot(version))
            {
                if (kept.SameWrite(version))
                {
                    return;
                }

                dotConflict = true;
            }
        }

        all.Add(version);
    }

    private static bool IsObsoletedByAny(StoredVersion version, List<StoredVersion> all)
    {
        foreach (var other in all)
        {
            if (version.IsObsoletedBy(other))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The full clock of a version: its past plus its own dot.</summary>
    public static VectorClock ClockOf(StoredVersion version) =>
        VectorClock.Merge(version.Past, VectorClock.FromEntries([new ClockEntry(version.Node, version.Counter, version.TimestampMs)]));

    /// <summary>The causal context of a set of versions: the merge of their clocks.</summary>
    public static VectorClock Context(IEnumerable<StoredVersion> versions)
    {
        var context = VectorClock.Empty;
        foreach (var version in versions)
        {
            context = VectorClock.Merge(context, ClockOf(version));
        }

        return context;
    }

    /// <summary>The highest counter of <paramref name="actor"/> that <paramref name="context"/> or the versions
    /// <paramref name="local"/> know of; a new dot of that actor must be above it.</summary>
    public static ulong HighestCounter(string actor, VectorClock context, IEnumerable<StoredVersion> local)
    {
        var highest = context.CounterOf(actor);
        foreach (var version in local)
        {
            highest = Math.Max(highest, version.Node == actor ? Math.Max(version.Counter, version.Past.CounterOf(actor)) : version.Past.CounterOf(actor));
        }

        return highest;
    }

    /// <summary>A new version with dot (<paramref name="actor"/>, <paramref name="counter"/>) whose past is
    /// <paramref name="context"/>, truncated to <paramref name="maxClockEntries"/> − 1 entries but never below the
    /// entries that supersede a version in <paramref name="local"/> (the versions the creating replica holds).
    /// <paramref name="expiresAtMs"/> (Unix milliseconds, 0 = never) is the new version's expiry; a tombstone never expires.</summary>
    public static StoredVersion Create(
        string actor, ulong counter, byte[]? value, VectorClock context, IReadOnlyCollection<StoredVersion> local, long nowMs, int maxClockEntries,
        long expiresAtMs = 0)
    {
        if (expiresAtMs < 0 || (expiresAtMs != 0 && value is null))
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAtMs), expiresAtMs, "Only a value expires, at a positive instant.");
        }

        return new(actor, counter, TruncatePast(context, local, Math.Max(1, maxClockEntries - 1)), nowMs, value) { ExpiresAtMs = expiresAtMs };
    }

    /// <summary>The instant (Unix milliseconds) from which <paramref name="versions"/> holds no value whatever the clock says:
    /// the newest tombstone's timestamp or latest expiry, when every version is a tombstone or expires. Null for an
    /// empty set or one with a value that never expires. A set may be purged once this is a grace period old. It
    /// depends only on the set, never on the time it is asked.</summary>
    public static long? DeadSinceMs(IReadOnlyCollection<StoredVersion> versions)
    {
        if (versions.Count == 0)
        {
            return null;
        }

        var since = long.MinValue;
        foreach (var version in versions)
        {
            if (version.Value is not null && !version.Expires)
            {
                return null;
            }

            since = Math.Max(since, version.Expires ? version.ExpiresAtMs : version.TimestampMs);
        }

        return since;
    }

    /// <summary>The versions of <paramref name="versions"/> a read at <paramref name="nowMs"/> returns: values not expired.</summary>
    public static IEnumerable<StoredVersion> Live(IEnumerable<StoredVersion> versions, long nowMs) => versions.Where(v => v.IsLiveAt(nowMs));

    /// <summary><paramref name="versions"/> with the values of expired versions dropped (the same writes, less space);
    /// the array itself when nothing expired.</summary>
    public static StoredVersion[] Reclaim(StoredVersion[] versions, long nowMs) =>
        Array.Exists(versions, v => v.Value is not null && v.IsExpiredAt(nowMs)) ? Array.ConvertAll(versions, v => v.ReclaimedAt(nowMs)) : versions;

    /// <summary>True if both sets hold the same writes.</summary>
    public static bool SameSet(IReadOnlyCollection<StoredVersion> a, IReadOnlyCollection<StoredVersion> b) =>
        a.Count == b.Count && a.All(x => b.Any(x.SameWrite));

    /// <summary>True if <paramref name="merged"/>, the <see cref="Merge(IEnumerable{StoredVersion})"/> of stored versions
    /// read without their values (<paramref name="local"/>, VersionSetCodec.DecodeWithoutValues) and <paramref name="added"/>,
    /// is the merge the stored versions with their values give, values included: no stored version is kept, and none
    /// shares a dot with another version (only the values tell a copy of one write from a dot conflict). Otherwise the
    /// merge must be done again with the values.</summary>
    public static bool HeadersSuffice(StoredVersion[] local, StoredVersion[] added, StoredVersion[] merged)
    {
        for (var i = 0; i < local.Length; i++)
        {
            if (Array.IndexOf(merged, local[i]) >= 0)
            {
                return false;
            }

            foreach (var other in added)
            {
                if (other.SameDot(local[i]))
                {
                    return false;
                }
            }

            for (var j = i + 1; j < local.Length; j++)
            {
                if (local[j].SameDot(local[i]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static VectorClock TruncatePast(VectorClock context, IReadOnlyCollection<StoredVersion> local, int maxEntries)
    {
        if (context.Count <= maxEntries)
        {
            return context;
        }

        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var version in local)
        {
            if (context.CounterOf(version.Node) >= version.Counter)
            {
                needed.Add(version.Node);
            }
        }

        var others = context.Entries
            .Where(e => !needed.Contains(e.NodeId))
            .OrderByDescending(e => e.TimestampUnixMs)
            .ThenByDescending(e => e.NodeId, StringComparer.Ordinal)
            .Take(Math.Max(0, maxEntries - needed.Count));
        return VectorClock.FromEntries(context.Entries.Where(e => needed.Contains(e.NodeId)).Concat(others));
    }

    private static int CanonicalOrder(StoredVersion x, StoredVersion y)
    {
        var order = string.CompareOrdinal(x.Node, y.Node);
        if (order == 0)
        {
            order = x.Counter.CompareTo(y.Counter);
        }

        if (order == 0)
        {
            order = x.TimestampMs.CompareTo(y.TimestampMs);
        }

        if (order == 0)
        {
            order = x.ExpiresAtMs.CompareTo(y.ExpiresAtMs);
        }

        // Only a dot conflict gets this far: any fixed order of the contents will do.
        return order != 0 ? order : (x.Value ?? []).AsSpan().SequenceCompareTo(y.Value ?? []);
    }
}
