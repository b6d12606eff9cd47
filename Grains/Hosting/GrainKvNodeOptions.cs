// Configuration of one GrainKV node (one silo): identity, data directory, limits and durability.

using GrainKV.Partitioning;
using GrainKV.Storage;
using Microsoft.Extensions.Options;

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

    /// <summary>This node's data directory (node id file, engine files).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Largest key + value accepted, in bytes.</summary>
    public int MaxEntrySize { get; set; } = KeyLimits.DefaultMaxEntrySize;

    /// <summary>Number of key ranges (Q); must match every node and client of the cluster.</summary>
    public int RangeCount { get; set; } = KeyPartitioner.DefaultRangeCount;

    /// <summary>Durability of the commit log.</summary>
    public LogDurability Durability { get; set; } = LogDurability.Synced;
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

        if (options.RangeCount < 2 || options.RangeCount > 1 << 20 || !System.Numerics.BitOperations.IsPow2(options.RangeCount))
        {
            failures.Add($"GrainKV:RangeCount {options.RangeCount} must be a power of two between 2 and 2^20.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
