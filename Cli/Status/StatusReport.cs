// Renders a ClusterStatus for `grainkv status`: a summary line, a table of the nodes on the ring (address,
// datacenter, ring state, liveness, gossip's view, share of the ring, transfers in progress) and, when any node
// has transfer counters, a table of range transfers.

using System.Globalization;
using Spectre.Console;
using static GrainKV.Cli.Status.ReportTables;

namespace GrainKV.Cli.Status;

/// <summary>Renders the cluster status.</summary>
public static class StatusReport
{
    public static void Write(IAnsiConsole console, ClusterStatus status)
    {
        var c = CultureInfo.InvariantCulture;
        var live = status.Nodes.Count(n => n.IsLive);
        Line(console, string.Create(c,
            $"{status.Nodes.Count} node(s) on the ring, {live} live; {status.RangeCount} ranges; N={status.ReplicationFactor} W={status.WriteQuorum} R={status.ReadQuorum} (as seen by {status.ObservedBy}, which keeps {status.PendingHints} hint(s) for other nodes)"));

        var transfers = status.Transfers.ToDictionary(t => t.NodeId);
        var nodes = Create(console, "NODE", "ADDRESS", "DC", "RING", "LIVE", "GOSSIP", ">HEARD", ">SHARE", ">PRIMARY", ">REPLICAS", "TRANSFERS", "SUSPECTED-BY");
        foreach (var node in status.Nodes)
        {
            var share = status.RangeCount == 0 ? 0 : 100.0 * node.PrimaryRanges / status.RangeCount;
            nodes.AddRow(
                Cell(node.NodeId),
                Cell(node.Address),
                Cell(node.Datacenter),
                Cell(node.RingState, node.RingState == "normal" ? null : Color.Yellow),
                Cell(node.IsLive ? "up" : "down", node.IsLive ? Color.Green : Color.Red),
                Cell(node.Gossip, node.Gossip switch { "up" => Color.Green, "suspect" => Color.Yellow, "down" => Color.Red, _ => null }),
                Cell(node.HeartbeatAge is { } age ? string.Create(c, $"{age.TotalSeconds:0.0}s") : "-"),
                Cell(string.Create(c, $"{share:0.0}%")),
                Cell(node.PrimaryRanges),
                Cell(node.ReplicaRanges),
                Cell(transfers.TryGetValue(node.NodeId, out var t) && t.RangesPending + t.RangesStreaming > 0
                    ? string.Create(c, $"{t.RangesStreaming}/{t.RangesPending}")
                    : "-"),
                Cell(string.Join(",", node.SuspectedBy)));
        }

        console.Write(nodes);
        if (status.Transfers.Count == 0)
        {
            return;
        }

        Line(console, "");
        Line(console, "transfers (since each node started):");
        var table = Create(console, "NODE", "RING", ">OWNED", ">PENDING", ">ACTIVE", ">KEYS-IN", ">BYTES-IN", ">ADDED", ">KEYS-OUT", ">BYTES-OUT", ">DROPPED");
        foreach (var t in status.Transfers)
        {
            table.AddRow(
                Cell(t.NodeId), Cell(t.RingState), Cell(t.RangesOwned), Cell(t.RangesPending), Cell(t.RangesStreaming), Cell(t.KeysReceived),
                Cell(t.BytesReceived), Cell(t.KeysAdded), Cell(t.KeysSent), Cell(t.BytesSent), Cell(t.KeysDropped));
        }

        console.Write(table);
    }
}
