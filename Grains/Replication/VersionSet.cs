// Operations on the set of versions a replica keeps for one key: merging (dropping versions another
// version's causal past covers), the causal context of a set, and creating a new version on a node.

using GrainKV.Replication;
using GrainKV.Versioning;

namespace GrainKV.Grains.Replication;

/// <summary>Pure functions over sets of <see cref="StoredVersion"/>s.</summary>
public static class VersionSet
{
    /// <summary>The versions not obsoleted by any other, one per dot, ordered by dot (node id, then counter).</summary>
    public static StoredVersion[] Merge(IEnumerable<StoredVersion> versions)
    {
        // Sets are small (usually one version, a few siblings at most): quadratic scans beat hashing.
        var all = new List<StoredVersion>();
        foreach (var version in versions)
        {
            if (!all.Exists(v => v.SameDot(version)))
            {
                all.Add(version);
            }
        }

        var kept = all.FindAll(v => !all.Exists(v.IsObsoletedBy));
        kept.Sort(static (x, y) => string.CompareOrdinal(x.Node, y.Node) is var byNode and not 0 ? byNode : x.Counter.CompareTo(y.Counter));
        return [.. kept];
    }

    /// <summary>The full clock of a version: its past plus its own dot.</summary>
    public static VectorClock ClockOf(StoredVersion version) =>
        VectorClock.Merge(version.Past, VectorClock.FromEntries([new ClockEntry(version.Node, version.Counter, version.TimestampMs)]));

    /// <summary>The causal context of a set of versions: the merge of their clocks.</summary>
    public static VectorClock Context(IEnumerable<StoredVersion> versions) =>
        VectorClock.Merge(versions.Select(ClockOf));

    /// <summary>A new version written on <paramref name="node"/> with causal context <paramref name="context"/>,
    /// given the versions <paramref name="local"/> that node holds. Its counter is above any this node issued for the key.</summary>
    public static StoredVersion Create(string node, byte[]? value, VectorClock context, IEnumerable<StoredVersion> local, long nowMs, int maxClockEntries)
    {
        var highest = local.Select(v => ClockOf(v).CounterOf(node)).DefaultIfEmpty(0UL).Max();
        var counter = Math.Max(highest, context.CounterOf(node)) + 1;
        return new StoredVersion(node, counter, context.Truncate(Math.Max(1, maxClockEntries - 1)), nowMs, value);
    }

    /// <summary>True if both sets hold the same versions (by dot).</summary>
    public static bool SameSet(IReadOnlyCollection<StoredVersion> a, IReadOnlyCollection<StoredVersion> b) =>
        a.Count == b.Count && a.All(x => b.Any(x.SameDot));
}
