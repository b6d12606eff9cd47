// Configuration of one GrainKV node (one silo): identity, data directory, limits and durability.

using GrainKV.Grains.AntiEntropy;
using GrainKV.Partitioning;
using GrainKV.Storage;
using Microsoft.Extensions.Options;
using GrainKV.Versioning;
using GrainKV.Grains.Ring;
using GrainKV.Grains.Streaming;

namespace GrainKV.Grains.Hosting;

/// <summary>Options of a GrainKV storage node, bound from the "GrainKV" configuration section.</summary>
public sealed class GrainKvNodeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV";

    /// <summary>Stable node id. When unset, the id persisted in the data directory is used, else the silo name.</summary>
    public string? NodeId { get; set; }

    /// <summary>Datacenter label of this node (empty when datacenters are not used).</summary>
    public string Datacenter { get; set; } = "";

    /// <summary>Replicas per datacenter, e.g. "dc1:2,dc2:1" (empty: none). The counts add up to
    /// <see cref="ReplicationFactor"/> and name this node's <see cref="Datacenter"/>; every node of a cluster has the
    /// same setting. A request with another N takes that many nodes of the same preference order (see docs/RING.md).</summary>
    public string DatacenterReplication { get; set; } = "";

    /// <summary>This node's data directory (node id file, engine files).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Largest key + value accepted, in bytes.</summary>
    public int MaxEntrySize { get; set; } = KeyLimits.DefaultMaxEntrySize;

    /// <summary>Number of key ranges (Q); must match every node and client of the cluster.</summary>
    public int RangeCount { get; set; } = KeyPartitioner.DefaultRangeCount;

    /// <summary>Durability of the commit log.</summary>
    public LogDurability Durability { get; set; } = LogDurability.Synced;

    /// <summary>With <see cref="LogDurability.Buffered"/>, how often the commit log is committed (the most a
    /// process crash can lose of acknowledged writes on this node).</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Default number of replicas of each key (N).</summary>
    public int ReplicationFactor { get; set; } = RingOptions.DefaultReplicationFactor;

    /// <summary>Default number of replica acknowledgements a write waits for (W).</summary>
    public int WriteQuorum { get; set; } = 2;

    /// <summary>Default number of replica answers a read waits for (R).</summary>
    public int ReadQuorum { get; set; } = 2;

    /// <summary>Cluster default of what requests do when replicas are down: <see cref="CapMode.Sloppy"/> (available:
    /// nodes past the top N take hinted copies and count toward W) or <see cref="CapMode.Strict"/> (consistent:
    /// only the top N count; fail at once otherwise). Requests may override it.</summary>
    public CapMode Mode { get; set; } = CapMode.Sloppy;

    /// <summary>How long a coordinator waits for its quorum before failing the request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Fraction of reads (0..1) that ask all N replicas instead of R, so that read repair also reaches
    /// the replicas other reads skip. Reads at R = N always ask all.</summary>
    public double ReadRepairChance { get; set; } = 0.1;

    /// <summary>When a read that asked R replicas has fewer than R answers after this long, it asks the others too.</summary>
    public TimeSpan SpeculativeReadDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Tokens (virtual nodes) each node places on the ring.</summary>
    public int VirtualNodes { get; set; } = RingOptions.DefaultVirtualNodes;

    /// <summary>Vector clocks keep at most this many entries; the oldest are dropped first, except those that
    /// supersede a version the creating replica holds.</summary>
    public int MaxClockEntries { get; set; } = 10;

    /// <summary>Copies (of writes and read repairs) that this node keeps in flight to one other node at most; a copy
    /// past the limit waits for a slot, at most RequestTimeout, and is kept as a hint if none comes.</summary>
    public int MaxCopiesInFlightPerNode { get; set; } = 256;

    /// <summary>Hints this node stores at most (copies other nodes missed); past it a missed copy is counted as dropped.</summary>
    public int MaxHints { get; set; } = 1_000_000;

    /// <summary>How often stored hints are offered to their nodes.</summary>
    public TimeSpan HintDeliveryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Hints a delivery round sends at once (to all nodes together); bounds what delivery adds to the load.</summary>
    public int HintDeliveryConcurrency { get; set; } = 16;

    /// <summary>Anti-entropy (section "GrainKV:AntiEntropy").</summary>
    public AntiEntropyOptions AntiEntropy { get; set; } = new();

    /// <summary>Range streaming (section "GrainKV:Streaming").</summary>
    public StreamingOptions Streaming { get; set; } = new();
}

/// <summary>Validates <see cref="GrainKvNodeOptions"/> at start-up.</summary>
public sealed class GrainKvNodeOptionsValidator : IValidateOptions<GrainKvNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, GrainKvNodeOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("GrainKV:DataDirectory must be set.");
        }

        if (options.NodeId is { } id && (id.Length == 0 || id.Length > 128 || id.Contains('/') || id.Any(char.IsWhiteSpace)))
        {
            failures.Add($"GrainKV:NodeId '{id}' must be 1..128 characters with no '/' or white space.");
        }

        if (options.MaxEntrySize is < 2 or > 4 * 1024 * 1024)
        {
            failures.Add($"GrainKV:MaxEntrySize {options.MaxEntrySize} must be between 2 bytes and 4 MiB.");
        }

        if (!KeyPartitioner.IsValidRangeCount(options.RangeCount))
        {
            failures.Add($"GrainKV:RangeCount {options.RangeCount} must be a power of two between 2 and 2^20.");
        }

        if (options.ReplicationFactor < 1 || options.WriteQuorum < 1 || options.ReadQuorum < 1
            || options.WriteQuorum > options.ReplicationFactor || options.ReadQuorum > options.ReplicationFactor)
        {
            failures.Add($"GrainKV: need 1 <= WriteQuorum ({options.WriteQuorum}), ReadQuorum ({options.ReadQuorum}) <= ReplicationFactor ({options.ReplicationFactor}).");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("GrainKV:RequestTimeout must be positive.");
        }

        if (options.CommitInterval <= TimeSpan.Zero || options.CommitInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"GrainKV:CommitInterval {options.CommitInterval} must be positive and at most a minute.");
        }

        if (options.ReadRepairChance is < 0 or > 1 || double.IsNaN(options.ReadRepairChance))
        {
            failures.Add($"GrainKV:ReadRepairChance {options.ReadRepairChance} must be between 0 and 1.");
        }

        if (options.SpeculativeReadDelay <= TimeSpan.Zero)
        {
            failures.Add("GrainKV:SpeculativeReadDelay must be positive.");
        }

        if (options.VirtualNodes < 1 || options.VirtualNodes > RingOptions.MaxVirtualNodes)
        {
            failures.Add($"GrainKV:VirtualNodes {options.VirtualNodes} must be between 1 and {RingOptions.MaxVirtualNodes}.");
        }

        if (options.MaxClockEntries < 1)
        {
            failures.Add("GrainKV:MaxClockEntries must be at least 1.");
        }

        if (options.MaxCopiesInFlightPerNode < 1 || options.MaxHints < 0)
        {
            failures.Add($"GrainKV:MaxCopiesInFlightPerNode ({options.MaxCopiesInFlightPerNode}) must be at least 1 and GrainKV:MaxHints ({options.MaxHints}) not negative.");
        }

        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"GrainKV:Mode '{options.Mode}' must be Sloppy or Strict.");
        }

        if (options.HintDeliveryInterval <= TimeSpan.Zero || options.HintDeliveryConcurrency < 1)
        {
            failures.Add("GrainKV:HintDeliveryInterval must be positive and GrainKV:HintDeliveryConcurrency at least 1.");
        }

        failures.AddRange(DatacenterProblems(options));
        failures.AddRange(options.AntiEntropy.Problems());
        failures.AddRange(options.Streaming.Problems());
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> DatacenterProblems(GrainKvNodeOptions options)
    {
        if (options.Datacenter.Any(char.IsWhiteSpace) || options.Datacenter.Contains(':') || options.Datacenter.Contains(','))
        {
            yield return $"GrainKV:Datacenter '{options.Datacenter}' must not contain white space, ':' or ','.";
        }

        IReadOnlyDictionary<string, int>? counts = null;
        string? malformed = null;
        try
        {
            counts = Ring.DatacenterReplication.Parse(options.DatacenterReplication);
        }
        catch (FormatException ex)
        {
            malformed = $"GrainKV:DatacenterReplication: {ex.Message}";
        }

        if (malformed is not null)
        {
            yield return malformed;
        }

        if (counts is null)
        {
            yield break;
        }

        if (counts.Values.Sum(c => (long)c) != options.ReplicationFactor)
        {
            yield return $"GrainKV:DatacenterReplication '{options.DatacenterReplication}' adds up to {counts.Values.Sum(c => (long)c)}, not to GrainKV:ReplicationFactor ({options.ReplicationFactor}).";
        }

        if (!counts.ContainsKey(options.Datacenter))
        {
            yield return $"GrainKV:Datacenter '{options.Datacenter}' is not one of the datacenters of GrainKV:DatacenterReplication ({string.Join(", ", counts.Keys)}).";
        }
    }
}
