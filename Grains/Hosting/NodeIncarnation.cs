// Who issues versions on this node: its current incarnation. A dot (actor, counter) must never name two
// different writes. A node can lose its most recent writes in a crash (a Buffered log's unsynced tail, a
// wiped, replaced or restored disk), and with them the counters it issued; going on under the same name it
// would issue those dots again, and a context covering such a dot would delete a write its reader never saw.
//
// So versions are created under the actor id "{node id}/{incarnation}" (node ids cannot contain '/'), and
// every start that cannot prove a clean shutdown begins a new incarnation with a fresh random id: a crash,
// a missing or unreadable incarnation file, a fresh or wiped data directory. Within an incarnation, counters
// come from one node-wide sequence (never from a key's clock, which truncation may shorten). A clean shutdown
// records the incarnation and its counter after the engine has closed; the next start resumes both, so clean
// restarts do not add clock entries.
//
// File "incarnation" in the data directory, one line: "<id> <counter> <open|clean>", replaced durably.

using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace GrainKV.Grains.Hosting;

/// <summary>This node's incarnation and its dot counter.</summary>
public sealed partial class NodeIncarnation(NodeIdentity node, ILogger<NodeIncarnation> logger)
{
    private const string FileName = "incarnation";
    private readonly Lock _lock = new();
    private string? _actor;
    private ulong _counter;

    /// <summary>The actor id versions created on this node carry. Throws before <see cref="Begin"/>.</summary>
    public string ActorId => _actor ?? throw new InvalidOperationException("The node has not started an incarnation yet.");

    /// <summary>Path of the incarnation file.</summary>
    public string FilePath => Path.Combine(node.DataDirectory, FileName);

    /// <summary>Starts (or, after a clean shutdown, resumes) an incarnation. Must run before the store accepts writes.</summary>
    public void Begin()
    {
        var (id, counter, clean) = Read(FilePath);
        if (!clean || id is null)
        {
            var previous = id;
            id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            counter = 0;
            LogNewIncarnation(node.NodeId, id, previous ?? "none");
        }

        DurableFile.WriteAllText(FilePath, Format(id, counter, "open"));
        lock (_lock)
        {
            _actor = $"{node.NodeId}/{id}";
            _counter = counter;
        }
    }

    /// <summary>Records a clean shutdown: call only after every write of this incarnation is durable.</summary>
    public void EndClean()
    {
        string actor;
        ulong counter;
        lock (_lock)
        {
            actor = ActorId;
            counter = _counter;
        }

        DurableFile.WriteAllText(FilePath, Format(actor[(actor.LastIndexOf('/') + 1)..], counter, "clean"));
    }

    /// <summary>A counter for a new dot of this node: above every counter issued before and above <paramref name="atLeast"/>.</summary>
    public ulong NextCounter(ulong atLeast)
    {
        lock (_lock)
        {
            _counter = Math.Max(_counter, atLeast) + 1;
            return _counter;
        }
    }

    private static string Format(string id, ulong counter, string state) =>
        string.Create(CultureInfo.InvariantCulture, $"{id} {counter} {state}\n");

    private static (string? Id, ulong Counter, bool Clean) Read(string path)
    {
        try
        {
            var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return parts.Length == 3 && parts[0].Length > 0 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var counter)
                ? (parts[0], counter, parts[2] == "clean")
                : (null, 0, false);
        }
        catch (FileNotFoundException)
        {
            return (null, 0, false);
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Node {NodeId} starts incarnation {Incarnation} (previous: {Previous}, not shut down cleanly)")]
    private partial void LogNewIncarnation(string nodeId, string incarnation, string previous);
}
