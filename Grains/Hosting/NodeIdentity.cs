// The node's stable identity. Orleans gives a silo a new SiloAddress on every start; GrainKV keys
// replicas by a node id that survives restarts: configured, or else persisted in the data directory.

using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainKV.Grains.Hosting;

/// <summary>Who this node is: its stable id, datacenter and data directory.</summary>
public sealed class NodeIdentity
{
    private const string NodeIdFileName = "node-id";

    public NodeIdentity(IOptions<GrainKvNodeOptions> options, IOptions<SiloOptions> siloOptions)
    {
        var value = options.Value;
        DataDirectory = Path.GetFullPath(value.DataDirectory);
        Datacenter = value.Datacenter;
        NodeId = siloOptions.Value.SiloName; // resolved into the silo name when the silo options were built (AddGrainKv)
    }

    /// <summary>The stable node id.</summary>
    public string NodeId { get; }

    /// <summary>The datacenter label (may be empty).</summary>
    public string Datacenter { get; }

    /// <summary>Absolute path of the node's data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The node id for <paramref name="directory"/>: the one persisted there, else <paramref name="configured"/>,
    /// else <paramref name="fallback"/>; persisted on first use. Throws if the configured id contradicts the persisted one.</summary>
    public static string Resolve(string directory, string? configured, string fallback)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, NodeIdFileName);
        var persisted = File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        if (persisted is { Length: > 0 })
        {
            if (configured is not null && configured != persisted)
            {
                throw new InvalidOperationException(
                    $"The data directory '{directory}' belongs to node '{persisted}', but this node is configured as '{configured}'. " +
                    "Use another data directory or the node id it was created with.");
            }

            return persisted;
        }

        var id = configured ?? fallback;
        DurableFile.WriteAllText(path, id);
        return id;
    }
}
