// Named consistency levels, set on a request instead of an explicit R or W. ONE, QUORUM and ALL count the
// key's replicas wherever they are (the same as R or W of 1, N/2+1, N). LOCAL_QUORUM and EACH_QUORUM count
// replicas per datacenter: a quorum of the key's replicas in the coordinator's datacenter, or a quorum in every
// datacenter that holds replicas of the key. They never count stand-ins (sloppy quorum) and fail at once with
// DatacenterQuorumException when a datacenter's live replicas cannot make its quorum.

using System.Diagnostics.CodeAnalysis;

namespace GrainKV;

/// <summary>A request's consistency level.</summary>
public enum ConsistencyLevel
{
    /// <summary>One replica answers.</summary>
    One = 1,

    /// <summary>A majority of the key's N replicas answers (N/2 + 1).</summary>
    Quorum = 2,

    /// <summary>All N replicas answer.</summary>
    All = 3,

    /// <summary>A majority of the key's replicas in the coordinator's datacenter answers; other datacenters are not
    /// waited for (reads do not ask them; writes copy to them in the background).</summary>
    LocalQuorum = 4,

    /// <summary>A majority of the key's replicas in each datacenter that holds any answers.</summary>
    EachQuorum = 5,
}

/// <summary>Names of <see cref="ConsistencyLevel"/> values as the CLI and documentation write them.</summary>
public static class ConsistencyLevels
{
    /// <summary>The level's name: ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM.</summary>
    public static string Name(this ConsistencyLevel level) => level switch
    {
        ConsistencyLevel.One => "ONE",
        ConsistencyLevel.Quorum => "QUORUM",
        ConsistencyLevel.All => "ALL",
        ConsistencyLevel.LocalQuorum => "LOCAL_QUORUM",
        ConsistencyLevel.EachQuorum => "EACH_QUORUM",
        _ => level.ToString(),
    };

    /// <summary>True for the levels that count replicas per datacenter.</summary>
    public static bool IsPerDatacenter(this ConsistencyLevel level) => level is ConsistencyLevel.LocalQuorum or ConsistencyLevel.EachQuorum;

    /// <summary>The answers required for a level that does not count per datacenter, as an <see cref="Acks"/>.</summary>
    public static Acks ToAcks(this ConsistencyLevel level) => level switch
    {
        ConsistencyLevel.One => Acks.One,
        ConsistencyLevel.Quorum => Acks.Quorum,
        ConsistencyLevel.All => Acks.All,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, $"{level.Name()} counts replicas per datacenter; it has no single count."),
    };

    /// <summary>Parses a level name (any case; '-' may stand for '_').</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ConsistencyLevel? level)
    {
        level = text.Trim().ToUpperInvariant().Replace('-', '_') switch
        {
            "ONE" => ConsistencyLevel.One,
            "QUORUM" => ConsistencyLevel.Quorum,
            "ALL" => ConsistencyLevel.All,
            "LOCAL_QUORUM" => ConsistencyLevel.LocalQuorum,
            "EACH_QUORUM" => ConsistencyLevel.EachQuorum,
            _ => null,
        };
        return level is not null;
    }

    /// <summary>Parses a level name; throws <see cref="FormatException"/> naming the accepted ones otherwise.</summary>
    public static ConsistencyLevel Parse(string text) =>
        TryParse(text, out var level) ? level.Value : throw new FormatException($"'{text}' is not ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM.");
}
