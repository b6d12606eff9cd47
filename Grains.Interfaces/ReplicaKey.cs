// The grain key of a replica: the node id and the range number, joined by a slash.

using System.Globalization;

namespace GrainKV;

/// <summary>Formats and parses the key of an <see cref="IReplicaGrain"/>.</summary>
public static class ReplicaKey
{
    /// <summary>The grain key of the replica of <paramref name="range"/> on <paramref name="nodeId"/>.</summary>
    public static string Format(string nodeId, int range) => $"{nodeId}/{range.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Splits a replica grain key into node id and range.</summary>
    public static (string NodeId, int Range) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var range))
        {
            throw new FormatException($"'{key}' is not a replica key of the form nodeId/range.");
        }

        return (key[..slash], range);
    }
}
