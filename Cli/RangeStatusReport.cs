// Formats anti-entropy status as plain-text tables for `grainkv status --ranges`: one line per node (keys its
// range trees count, tombstone-only keys, exchanges it ran), then one line per range that has been exchanged
// since its exchanging node started (the latest exchange of any node, and totals over all nodes).

using System.Globalization;
using System.Text;
using GrainKV.AntiEntropy;

namespace GrainKV.Cli;

/// <summary>Renders anti-entropy status.</summary>
public static class RangeStatusReport
{
    public static string Format(AntiEntropyStatus status)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"anti-entropy on {status.Nodes.Count} live node(s), {status.RangeCount} ranges (as seen by {status.ObservedBy})");
        text.AppendLine(c, $"{"NODE",-20} {"KEYS",10} {"RANGES-TRACKED",15} {"TOMBSTONES",11} {"EXCHANGES",10} {"REPAIRED",9} {"BYTES-MOVED",12}");
        foreach (var node in status.Nodes)
        {
            if (node.Error is { } error)
            {
                text.AppendLine(c, $"{node.NodeId,-20} (no answer: {error})");
                continue;
            }

            text.AppendLine(c,
                $"{node.NodeId,-20} {node.Keys,10} {node.TrackedRanges,15} {node.TombstoneKeys,11} {node.Exchanges.Sum(e => e.Exchanges),10} {node.Exchanges.Sum(e => e.KeysRepaired),9} {node.Exchanges.Sum(e => e.BytesMoved),12}");
        }

        var ranges = status.Nodes
            .SelectMany(n => n.Exchanges)
            .GroupBy(e => e.Range)
            .OrderBy(g => g.Key)
            .ToArray();
        text.AppendLine();
        text.AppendLine(c, $"{ranges.Length} of {status.RangeCount} ranges exchanged since their exchanging node started");
        text.AppendLine(c, $"{"RANGE",6} {"LAST EXCHANGE (UTC)",-20} {"COMPLETE",8} {"REPAIRED",9} {"BYTES",10} {"PURGED",7} {"TOTAL-REPAIRED",15} {"TOTAL-BYTES",12}  NODES");
        foreach (var range in ranges)
        {
            var last = range.MaxBy(e => e.Last.Finished)!.Last;
            text.AppendLine(c,
                $"{range.Key,6} {last.Finished.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss} {(last.Complete ? "yes" : "no"),8} {last.KeysRepaired,9} {last.BytesMoved,10} {last.TombstonesPurged,7} {range.Sum(e => e.KeysRepaired),15} {range.Sum(e => e.BytesMoved),12}  {string.Join(",", last.Nodes)}");
        }

        return text.ToString();
    }
}
