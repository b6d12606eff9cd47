// Renders anti-entropy status for `grainkv status --ranges`: a table with one row per node (keys its range trees
// count, tombstone-only keys, exchanges it ran), then one row per range that has been exchanged since its
// exchanging node started (the latest exchange of any node, and totals over all nodes).

using System.Globalization;
using Spectre.Console;
using static GrainKV.Cli.Status.ReportTables;

namespace GrainKV.Cli.Status;

/// <summary>Renders anti-entropy status.</summary>
public static class RangeStatusReport
{
    public static void Write(IAnsiConsole console, GrainKV.AntiEntropy.AntiEntropyStatus status)
    {
        var c = CultureInfo.InvariantCulture;
        Line(console, string.Create(c, $"anti-entropy on {status.Nodes.Count} live node(s), {status.RangeCount} ranges (as seen by {status.ObservedBy})"));
        var nodes = Create(console, "NODE", ">KEYS", ">RANGES-TRACKED", ">TOMBSTONES", ">EXCHANGES", ">REPAIRED", ">BYTES-MOVED", "ERROR");
        foreach (var node in status.Nodes)
        {
            if (node.Error is { } error)
            {
                nodes.AddRow(Cell(node.NodeId), Cell(""), Cell(""), Cell(""), Cell(""), Cell(""), Cell(""), Cell($"no answer: {error}", Color.Red));
                continue;
            }

            nodes.AddRow(
                Cell(node.NodeId), Cell(node.Keys), Cell(node.TrackedRanges), Cell(node.TombstoneKeys), Cell(node.Exchanges.Sum(e => e.Exchanges)),
                Cell(node.Exchanges.Sum(e => e.KeysRepaired)), Cell(node.Exchanges.Sum(e => e.BytesMoved)), Cell(""));
        }

        console.Write(nodes);

        var ranges = status.Nodes
            .SelectMany(n => n.Exchanges)
            .GroupBy(e => e.Range)
            .OrderBy(g => g.Key)
            .ToArray();
        Line(console, "");
        Line(console, string.Create(c, $"{ranges.Length} of {status.RangeCount} ranges exchanged since their exchanging node started"));
        if (ranges.Length == 0)
        {
            return;
        }

        var table = Create(console, ">RANGE", "LAST-EXCHANGE-UTC", "COMPLETE", ">REPAIRED", ">BYTES", ">PURGED", ">TOTAL-REPAIRED", ">TOTAL-BYTES", "NODES");
        foreach (var range in ranges)
        {
            var last = range.MaxBy(e => e.Last.Finished)!.Last;
            table.AddRow(
                Cell(range.Key), Cell(last.Finished.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", c)), Cell(last.Complete ? "yes" : "no", last.Complete ? null : Color.Yellow),
                Cell(last.KeysRepaired), Cell(last.BytesMoved), Cell(last.TombstonesPurged), Cell(range.Sum(e => e.KeysRepaired)),
                Cell(range.Sum(e => e.BytesMoved)), Cell(string.Join(",", last.Nodes)));
        }

        console.Write(table);
    }
}
