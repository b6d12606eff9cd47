// Configuration of one GrainKV node (one silo): identity, data directory, limits and durability. The rules are data
// annotations on the properties (and on the nested AntiEntropy and Streaming sections) plus the cross-field rules of
// Validate(ValidationContext), checked at start-up by the generated GrainKvNodeOptionsValidator.

using System.ComponentModel.DataAnnotations;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Partitioning;
using GrainKV.Storage;
using GrainKV.Validation;
using Microsoft.Extensions.Options;
using GrainKV.Versioning;
using GrainKV.Grains.Ring;
using GrainKV.Grains.Streaming;

namespace GrainKV.Grains.Hosting;

/// <summary>Options of a GrainKV storage node, bound from the "GrainKV" configuration section.</summary>
public sealed class GrainKvNodeOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV";

    /// <summary>Stable node id. When unset, the id persisted in the data directory is used, else the silo name.</summary>
    [Length(1, 128)]
    [RegularExpression(@"[^/\s]*", ErrorMessage = "The field {0} must contain no '/' or white space.")]
    public string? NodeId { get; set; }

    /// <summary>Datacenter label of this node (empty when datacenters are not used).</summary>
    [RegularExpression(@"[^\s:,]*", ErrorMessage = "The field {0} must not contain white space, ':' or ','.")]
    public string Datacenter { get; set; } = "";

    /// <summary>Replicas per datacenter, e.g. "dc1:2,dc2:1" (empty: none). The counts add up to
    /// <see cref="ReplicationFactor"/> and name this node's <see cref="Datacenter"/>; every node of a cluster has the
    /// same setting. A request with another N takes that many nodes of the same preference order (see docs/RING.md).</summary>
    public string DatacenterReplication { get; set; } = "";

    /// <summary>This node's data directory (node id file, engine files).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Largest key + value accepted, in bytes.</summary>
    [Range(2, 4 * 1024 * 1024)]
    public int MaxEntrySize { get; set; } = KeyLimits.DefaultMaxEntrySize;

    /// <summary>Number of key ranges (Q); must match every node and client of the cluster.</summary>
    [Range(2, KeyPartitioner.MaxRangeCount)]
    [PowerOfTwo]
    public int RangeCount { get; set; } = KeyPartitioner.DefaultRangeCount;

    /// <summary>Durability of the commit log.</summary>
    public LogDurability Durability { get; set; } = LogDurability.Synced;

    /// <summary>With <see cref="LogDurability.Buffered"/>, how often the commit log is committed (the most a
    /// process crash can lose of acknowledged writes on this node).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", MinimumIsExclusive = true)]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>With <see cref="LogDurability.Buffered"/>, the least time between the starts of two commits of the log, or
    /// twice as long as the last commit took if that is less (see <see cref="StorageOptions.CommitSpacing"/>): a read of
    /// a write not yet committed waits for a commit, and commits asked for by such reads are spaced so that they share
    /// one, while quick commits still follow each other closely. Zero commits at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CommitSpacing { get; set; } = StorageOptions.DefaultCommitSpacing;

    /// <summary>How much lower than requests the engine's flush and compaction threads run on Linux: added to their nice
    /// value (up to 19); 0 runs them at the silo's own priority. While requests keep the cores busy, background work
    /// gets what they leave (see <see cref="StorageOptions.BackgroundNice"/>).</summary>
    [Range(0, 19)]
    public int BackgroundNice { get; set; } = StorageOptions.DefaultBackgroundNice;

    /// <summary>Bytes of writes the engine's memtable holds before it is flushed to a table (also what a restart replays
    /// from the commit log at most).</summary>
    [Range(typeof(long), "1048576", "4294967296")]
    public long MemTableSize { get; set; } = StorageOptions.DefaultMemTableSize;

    /// <summary>Memory budget of the engine's block cache (uncompressed table blocks); 0 turns the cache off.</summary>
    [Range(typeof(long), "0", "1099511627776")]
    public long BlockCacheSize { get; set; } = StorageOptions.DefaultBlockCacheSize;

    /// <summary>Keys whose stored versions (without values: dots and clocks, in a 256-byte slot each) this node keeps in
    /// memory for the read-merge-write of the next write to them (Replicas/VersionCache.cs); 0 turns the cache off.
    /// Rounded up to a power of two per lock stripe (1,024 stripes); at most 4 Mi keys (1 GiB).</summary>
    [Range(0, 4 * 1024 * 1024)]
    public int VersionCacheEntries { get; set; } = 128 * 1024;

    /// <summary>Default number of replicas of each key (N).</summary>
    [Range(1, int.MaxValue)]
    public int ReplicationFactor { get; set; } = RingOptions.DefaultReplicationFactor;

    /// <summary>Default number of replica acknowledgements a write waits for (W).</summary>
    [Range(1, int.MaxValue)]
    public int WriteQuorum { get; set; } = 2;

    /// <summary>Default number of replica answers a read waits for (R).</summary>
    [Range(1, int.MaxValue)]
    public int ReadQuorum { get; set; } = 2;

    /// <summary>Cluster default of what requests do when replicas are down: <see cref="CapMode.Sloppy"/> (available:
    /// nodes past the top N take hinted copies and count toward W) or <see cref="CapMode.Strict"/> (consistent:
    /// only the top N count; fail at once otherwise). Requests may override it.</summary>
    [EnumDataType(typeof(CapMode), ErrorMessage = "The field {0} must be Sloppy or Strict.")]
    public CapMode Mode { get; set; } = CapMode.Sloppy;

    /// <summary>How long a coordinator waits for its quorum before failing the request.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Fraction of reads (0..1) that ask all N replicas instead of R, so that read repair also reaches
    /// the replicas other reads skip. Reads at R = N always ask all.</summary>
    [Range(0d, 1d)]
    public double ReadRepairChance { get; set; } = 0.1;

    /// <summary>A read repairs a stale replica only for versions at least this old (by the clock of the node that created
    /// them): a younger version is still on its way there with the write that created it (its copy, or the hint kept
    /// for it), so a repair would send it twice. Zero repairs every stale replica at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReadRepairMinAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When a read that asked R replicas has fewer than R answers after this long, it asks the others too.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan SpeculativeReadDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Tokens (virtual nodes) each node places on the ring.</summary>
    [Range(1, RingOptions.MaxVirtualNodes)]
    public int VirtualNodes { get; set; } = RingOptions.DefaultVirtualNodes;

    /// <summary>Vector clocks keep at most this many entries; the oldest are dropped first, except those that
    /// supersede a version the creating replica holds.</summary>
    [Range(1, int.MaxValue)]
    public int MaxClockEntries { get; set; } = 10;

    /// <summary>Copies (of writes and read repairs) that this node keeps in flight to one other node at most; a copy
    /// past the limit waits for a slot, at most RequestTimeout, and is kept as a hint if none comes.</summary>
    [Range(1, int.MaxValue)]
    public int MaxCopiesInFlightPerNode { get; set; } = 256;

    /// <summary>Hints this node stores at most (copies other nodes missed); past it a missed copy is counted as dropped.</summary>
    [Range(0, int.MaxValue)]
    public int MaxHints { get; set; } = 1_000_000;

    /// <summary>How often stored hints are offered to their nodes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan HintDeliveryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Hints a delivery round sends at once (to all nodes together); bounds what delivery adds to the load.</summary>
    [Range(1, int.MaxValue)]
    public int HintDeliveryConcurrency { get; set; } = 16;

    /// <summary>Anti-entropy (section "GrainKV:AntiEntropy").</summary>
    [ValidateObjectMembers]
    public AntiEntropyOptions AntiEntropy { get; set; } = new();

    /// <summary>Range streaming (section "GrainKV:Streaming").</summary>
    [ValidateObjectMembers]
    public StreamingOptions Streaming { get; set; } = new();

    /// <summary>The rules that relate settings: W and R at most N, and the per-datacenter replica counts.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WriteQuorum > ReplicationFactor || ReadQuorum > ReplicationFactor)
        {
            yield return new ValidationResult(
                $"{SectionName}: need WriteQuorum ({WriteQuorum}) and ReadQuorum ({ReadQuorum}) <= ReplicationFactor ({ReplicationFactor}).",
                [nameof(WriteQuorum), nameof(ReadQuorum)]);
        }

        IReadOnlyDictionary<string, int>? counts = null;
        string? malformed = null;
        try
        {
            counts = Ring.DatacenterReplication.Parse(DatacenterReplication);
        }
        catch (FormatException ex)
        {
            malformed = $"{SectionName}:DatacenterReplication: {ex.Message}";
        }

        if (malformed is not null)
        {
            yield return new ValidationResult(malformed, [nameof(DatacenterReplication)]);
        }

        if (counts is null)
        {
            yield break;
        }

        var total = counts.Values.Sum(c => (long)c);
        if (total != ReplicationFactor)
        {
            yield return new ValidationResult(
                $"{SectionName}:DatacenterReplication '{DatacenterReplication}' adds up to {total}, not to {SectionName}:ReplicationFactor ({ReplicationFactor}).",
                [nameof(DatacenterReplication)]);
        }

        if (!counts.ContainsKey(Datacenter))
        {
            yield return new ValidationResult(
                $"{SectionName}:Datacenter '{Datacenter}' is not one of the datacenters of {SectionName}:DatacenterReplication ({string.Join(", ", counts.Keys)}).",
                [nameof(Datacenter)]);
        }
    }
}

/// <summary>Checks <see cref="GrainKvNodeOptions"/> at start-up: the generated implementation of its data annotations
/// (nested sections included) and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class GrainKvNodeOptionsValidator : IValidateOptions<GrainKvNodeOptions>;
