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
            $"{status.Nodes.Count} node(s) on the ring, {live} live; {status.RangeCount} ranges; N={status.ReplicationFactor} W={status.WriteQuorum} R={status.ReadQuorum} (as seen by {status.ObservedBy}, which keeps {status.PendingHints} hint(s) for other nodes)");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"NODE",-20} {"DC",-10} {"STATE",-6} {"GOSSIP",-8} {"HEARD",7} {"PRIMARY",8} {"REPLICAS",9}  ADDRESS  SUSPECTED-BY");
        foreach (var node in status.Nodes)
        {
            var heard = node.HeartbeatAge is { } age ? $"{age.TotalSeconds:0.0}s" : "-";
            var suspects = node.SuspectedBy.Count == 0 ? "" : string.Join(",", node.SuspectedBy);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{node.NodeId,-20} {(node.Datacenter.Length == 0 ? "-" : node.Datacenter),-10} {(node.IsLive ? "up" : "down"),-6} {node.Gossip,-8} {heard,7} {node.PrimaryRanges,8} {node.ReplicaRanges,9}  {node.Address}  {suspects}");
        }

        return text.ToString();
    }
}
