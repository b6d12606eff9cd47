// Replication per datacenter: how many of a key's N replicas each datacenter holds, written as
// "dc1:2,dc2:1" (label:count pairs, separated by commas; a count may be 0 for a datacenter that holds no
// replicas). The counts add up to N. Parsed once at start-up; the ring then places exactly that many
// replicas in each datacenter (PreferenceWalk) as long as each datacenter has that many nodes.

using System.Collections.ObjectModel;
using System.Globalization;

namespace GrainKV.Grains.Ring;

/// <summary>Parsing and checks of a per-datacenter replica count setting.</summary>
public static class DatacenterReplication
{
    /// <summary>Parses <paramref name="text"/> ("dc1:2,dc2:1"); an empty or blank text means no per-datacenter counts (null).</summary>
    /// <exception cref="FormatException">The text is not a list of distinct <c>label:count</c> pairs with counts of 0 or more and a positive total.</exception>
    public static IReadOnlyDictionary<string, int>? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            var label = colon > 0 ? part[..colon].Trim() : "";
            if (label.Length == 0 || label.Any(char.IsWhiteSpace)
                || !int.TryParse(part.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                throw new FormatException($"'{part}' in '{text}' is not DATACENTER:COUNT (for example dc1:2,dc2:1).");
            }

            if (!counts.TryAdd(label, count))
            {
                throw new FormatException($"Datacenter '{label}' appears more than once in '{text}'.");
            }
        }

        if (counts.Values.Sum(c => (long)c) is var total && total < 1)
        {
            throw new FormatException($"'{text}' places no replica anywhere; the counts must add up to at least 1.");
        }

        return new ReadOnlyDictionary<string, int>(counts);
    }

    /// <summary>The nodes (as "id@label") whose datacenter has no replicas under <paramref name="counts"/>: an unnamed label, or a
    /// count of 0. Such nodes are only ever standbys.</summary>
    public static IReadOnlyList<string> Unplaced(IReadOnlyDictionary<string, int> counts, IEnumerable<(string NodeId, string Datacenter)> nodes) =>
        nodes.Where(n => counts.GetValueOrDefault(n.Datacenter) == 0)
            .Select(n => $"{n.NodeId}@{n.Datacenter}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The total of the counts: the N they describe.</summary>
    public static int Total(IReadOnlyDictionary<string, int> counts) => counts.Values.Sum();

    /// <summary>The canonical text of <paramref name="counts"/> ("dc1:2,dc2:1", labels in ordinal order).</summary>
    public static string Format(IReadOnlyDictionary<string, int> counts) =>
        string.Join(",", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value.ToString(CultureInfo.InvariantCulture)}"));
}
