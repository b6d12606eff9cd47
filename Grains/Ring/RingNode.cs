// A member of the hash ring: a storage node named by its stable node id (the configured silo name,
// which survives restarts while the Orleans SiloAddress does not) and its datacenter label.

namespace GrainKV.Grains.Ring;

/// <summary>A storage node as the ring sees it.</summary>
public sealed record RingNode
{
    /// <param name="nodeId">The stable node id; not empty.</param>
    /// <param name="datacenter">The datacenter label; empty when datacenters are not configured.</param>
    public RingNode(string nodeId, string datacenter = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(datacenter);
        NodeId = nodeId;
        Datacenter = datacenter;
    }

    /// <summary>The stable node id; it alone decides the node's tokens.</summary>
    public string NodeId { get; }

    /// <summary>The datacenter label, or empty.</summary>
    public string Datacenter { get; }

    public override string ToString() => Datacenter.Length == 0 ? NodeId : $"{NodeId}@{Datacenter}";
}
