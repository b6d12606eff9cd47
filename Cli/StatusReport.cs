// Formats a ClusterStatus as a plain-text table for `grainkv status`.

using System.Globalization;
using System.Text;

namespace GrainKV.Cli;

/// <summary>Renders the cluster status.</summary>
public static class StatusReport
{
    public static string Format(ClusterStatus status)
    {
        var text = new StringBuilder();
        var live = status.Nodes.Count(n => n.IsLive);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{status.Nodes.Count} node(s) on the ring, {live} live; {status.RangeCount} ranges; N={status.ReplicationFactor} W={status.WriteQuorum} R={status.ReadQuorum} (as seen by {status.ObservedBy})");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"NODE",-20} {"DC",-10} {"STATE",-6} {"PRIMARY",8} {"REPLICAS",9}  ADDRESS");
        foreach (var node in status.Nodes)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{node.NodeId,-20} {(node.Datacenter.Length == 0 ? "-" : node.Datacenter),-10} {(node.IsLive ? "up" : "down"),-6} {node.PrimaryRanges,8} {node.ReplicaRanges,9}  {node.Address}");
        }

        return text.ToString();
    }
}
