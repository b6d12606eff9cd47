// The authoritative ring membership: which nodes are on the ring and in which state, as decided by joins and by
// operators (decommission, remove). Every silo keeps a copy (persisted in its data directory) and silos exchange
// copies (RingRecordSync); the record is a join-semilattice, so copies merge without coordination and converge:
// per node, the entry with the higher (generation, state) wins. A node's state only moves forward within a
// generation:
//
//   Joining ─▶ Normal ─▶ Leaving ─▶ Removing ─▶ Left        (a node that starts again after Left joins with generation + 1)
//
//   Joining   bootstrapping: receives the writes of the ranges it will own and streams their data; serves no reads
//   Normal    owns its ranges
//   Leaving   decommissioned while live: still owns its ranges while the nodes taking them over stream them
//   Removing  removed while dead: its ranges are re-replicated from the surviving replicas
//   Left      off the ring
//
// The current ring (reads, writes, quorums) is Normal + Leaving + Removing; the future ring (the owners once every
// transfer completed) is Joining + Normal. Every transition is made by one party only, so two silos never make
// conflicting ones: a joiner moves itself to Normal, the operator command moves a node to Leaving or Removing, and
// Leaving/Removing → Left is a function of the record and the receivers' answers (whoever makes it, makes the same).

using System.Text.Json;

namespace GrainKV.Grains.Membership;

/// <summary>A node's state on the ring, in the order it moves through them.</summary>
public enum RingState
{
    Joining = 0,
    Normal = 1,
    Leaving = 2,
    Removing = 3,
    Left = 4,
}

/// <summary>One node's entry in the <see cref="RingRecord"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.RingEntry")]
public sealed record RingEntry(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string Datacenter,
    [property: Id(2)] int Generation,
    [property: Id(3)] RingState State)
{
    /// <summary>True if this entry is later than <paramref name="other"/> (same node).</summary>
    public bool Supersedes(RingEntry other) =>
        Generation != other.Generation ? Generation > other.Generation : State > other.State;

    /// <summary>On the current ring: owns ranges for reads and writes now.</summary>
    public bool IsCurrent => State is RingState.Normal or RingState.Leaving or RingState.Removing;

    /// <summary>On the future ring: will own ranges once the transfers under way complete.</summary>
    public bool IsFuture => State is RingState.Joining or RingState.Normal;
}

/// <summary>An immutable copy of the ring record.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.RingRecord")]
public sealed class RingRecord
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public RingRecord(IEnumerable<RingEntry> entries)
    {
        Entries = entries.OrderBy(e => e.NodeId, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The empty record (a cluster no node has joined yet).</summary>
    public static RingRecord Empty { get; } = new([]);

    /// <summary>Entries, ordered by node id.</summary>
    [Id(0)]
    public RingEntry[] Entries { get; }

    /// <summary>The entry of <paramref name="nodeId"/>, or null.</summary>
    public RingEntry? Find(string nodeId) => Array.Find(Entries, e => e.NodeId == nodeId);

    /// <summary>The nodes in a transition (joining, leaving or being removed).</summary>
    public bool HasTransition => Entries.Any(e => e.State is RingState.Joining or RingState.Leaving or RingState.Removing);

    /// <summary>This record with <paramref name="entry"/> merged in.</summary>
    public RingRecord With(RingEntry entry) => Merge(new RingRecord([entry]));

    /// <summary>The least record that includes both (per node, the later entry).</summary>
    public RingRecord Merge(RingRecord other)
    {
        var merged = Entries.ToDictionary(e => e.NodeId, StringComparer.Ordinal);
        var changed = false;
        foreach (var entry in other.Entries)
        {
            if (!merged.TryGetValue(entry.NodeId, out var mine) || entry.Supersedes(mine))
            {
                merged[entry.NodeId] = entry;
                changed = true;
            }
        }

        return changed ? new RingRecord(merged.Values) : this;
    }

    /// <summary>True if both hold the same entries.</summary>
    public bool SameAs(RingRecord other) => Entries.SequenceEqual(other.Entries);

    /// <summary>The record as JSON (its file in the data directory).</summary>
    public string ToJson() => JsonSerializer.Serialize(Entries, Json);

    /// <summary>Reads <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="FormatException">The text is not a ring record.</exception>
    public static RingRecord FromJson(string json)
    {
        try
        {
            var entries = JsonSerializer.Deserialize<RingEntry[]>(json) ?? throw new FormatException("The ring record is empty.");
            if (entries.Any(e => string.IsNullOrEmpty(e.NodeId) || e.Datacenter is null || !Enum.IsDefined(e.State)))
            {
                throw new FormatException("The ring record holds an invalid entry.");
            }

            return new RingRecord(entries);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The ring record cannot be read: {ex.Message}", ex);
        }
    }

    public override string ToString() => string.Join(", ", Entries.Select(e => $"{e.NodeId}:{e.State}#{e.Generation}"));
}
