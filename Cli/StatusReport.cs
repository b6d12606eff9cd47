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
        text.AppendLine(CultureInfo.InvariantCulture, $"{"NODE",-20} {"DC",-10} {"STATE",-6} {"RING",-9} {"GOSSIP",-8} {"HEARD",7} {"PRIMARY",8} {"REPLICAS",9}  ADDRESS  SUSPECTED-BY");
        foreach (var node in status.Nodes)
        {
            var heard = node.HeartbeatAge is { } age ? $"{age.TotalSeconds:0.0}s" : "-";
            var suspects = node.SuspectedBy.Count == 0 ? "" : string.Join(",", node.SuspectedBy);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{node.NodeId,-20} {(node.Datacenter.Length == 0 ? "-" : node.Datacenter),-10} {(node.IsLive ? "up" : "down"),-6} {node.RingState,-9} {node.Gossip,-8} {heard,7} {node.PrimaryRanges,8} {node.ReplicaRanges,9}  {node.Address}  {suspects}");
        }

        if (status.Transfers.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("transfers (since each node started):");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{"NODE",-20} {"RING",-9} {"OWNED",6} {"PENDING",8} {"ACTIVE",7} {"KEYS-IN",10} {"BYTES-IN",12} {"ADDED",9} {"KEYS-OUT",10} {"BYTES-OUT",12} {"DROPPED",9}");
            foreach (var t in status.Transfers)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{t.NodeId,-20} {t.RingState,-9} {t.RangesOwned,6} {t.RangesPending,8} {t.RangesStreaming,7} {t.KeysReceived,10} {t.BytesReceived,12} {t.KeysAdded,9} {t.KeysSent,10} {t.BytesSent,12} {t.KeysDropped,9}");
            }
        }

        return text.ToString();
    }
}
