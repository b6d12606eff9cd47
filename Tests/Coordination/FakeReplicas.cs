// Fakes for coordinator tests: replicas that answer only when the test says (each call is a
// TaskCompletionSource, or answered at once when preset), copies that keep a hint for their replica when they
// fail (as ReplicaCopies does) and answer whether they held more than the copy (HoldingMore), and a fixed ring of
// six nodes. Every call is recorded in the order it was made.

using System.Collections.Concurrent;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.Coordination;

public enum ReplicaOp
{
    Read,
    ReadHeaders,
    Create,
    Copy,
    HandOff,
    ReadHints,
}

/// <summary>One call to a fake replica: what was sent (versions, the owners of a hint) and its answer to give.</summary>
public sealed record FakeCall(ReplicaOp Op, string Node, StoredVersion[] Sent, string[] Owners, TaskCompletionSource<StoredVersion[]> Answer);

public sealed class FakeReplicas(string localNode) : IReplicaCalls, IReplicaCopies
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<(ReplicaOp, string, int), FakeCall> _calls = new();
    private readonly ConcurrentDictionary<(ReplicaOp, string), StoredVersion[]> _preset = new();
    private readonly ConcurrentQueue<FakeCall> _order = new();

    public string LocalNode { get; set; } = localNode;

    /// <summary>Owners of the hints this node kept (copies that failed or had no destination).</summary>
    public ConcurrentQueue<string> HintsKept { get; } = new();

    /// <summary>Makes <paramref name="node"/> answer <paramref name="op"/> at once (as this node's replica often does).</summary>
    public void AnswerAtOnce(ReplicaOp op, string node, params StoredVersion[] versions) => _preset[(op, node)] = versions;

    /// <summary>The nodes asked for <paramref name="op"/>, in the order asked.</summary>
    public string[] Asked(ReplicaOp op) => _order.Where(c => c.Op == op).Select(c => c.Node).ToArray();

    /// <summary>Whether a node may be asked for one operation more than once (an overwrite's second round); otherwise a
    /// second call fails the test.</summary>
    public bool AllowRepeats { get; set; }

    /// <summary>Waits until <paramref name="node"/> was asked for <paramref name="op"/> (for the
    /// <paramref name="repeat"/>th time after the first, with <see cref="AllowRepeats"/>).</summary>
    public async Task<FakeCall> CallAsync(ReplicaOp op, string node, int repeat = 0)
    {
        await Eventually.HoldsAsync(() => _calls.ContainsKey((op, node, repeat)), Bound, $"{op} sent to {node} ({repeat + 1})");
        return _calls[(op, node, repeat)];
    }

    public Task<StoredVersion[]> Read(string node, int range, byte[] key, bool withValues = true) =>
        Call(withValues ? ReplicaOp.Read : ReplicaOp.ReadHeaders, node, [], []);

    public Task<StoredVersion[]> Coordinate(string node, int range, byte[] key, byte[]? value, CausalContext context, TimeSpan? timeToLive = null, bool overwrite = false)
    {
        TimesToLive.Enqueue(timeToLive);
        Overwrites.Enqueue(overwrite);
        return Call(ReplicaOp.Create, node, [], []);
    }

    /// <summary>Whether each version creation asked for was an overwrite, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<bool> Overwrites { get; } = new();

    /// <summary>The time to live of each version creation asked for, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<TimeSpan?> TimesToLive { get; } = new();

    /// <summary>Nodes whose copies answer that they hold a version the copied set misses (not covered).</summary>
    public HashSet<string> HoldingMore { get; } = new(StringComparer.Ordinal);

    public async Task<bool> Apply(string node, int range, byte[] key, StoredVersion[] versions)
    {
        await Call(ReplicaOp.Copy, node, versions, []);
        return !HoldingMore.Contains(node);
    }

    public async Task<bool> StoreHint(string node, string owner, int range, byte[] key, StoredVersion[] versions)
    {
        await Call(ReplicaOp.HandOff, node, versions, [owner]);
        return true;
    }

    public Task<StoredVersion[]> ReadHints(string node, string[] owners, int range, byte[] key) => Call(ReplicaOp.ReadHints, node, [], owners);

    public Task<bool> SendAsync(string node, int range, byte[] key, StoredVersion[] versions) =>
        HintOnFailure(node, Apply(node, range, key, versions));

    public Task<bool> HandOffAsync(string fallback, string owner, int range, byte[] key, StoredVersion[] versions) =>
        HintOnFailure(owner, StoreHint(fallback, owner, range, key, versions));

    public Task KeepHintAsync(string owner, int range, byte[] key, StoredVersion[] versions)
    {
        HintsKept.Enqueue(owner);
        return Task.CompletedTask;
    }

    private async Task<bool> HintOnFailure(string owner, Task<bool> copy)
    {
        try
        {
            return await copy;
        }
        catch (Exception)
        {
            HintsKept.Enqueue(owner);
            throw;
        }
    }

    private Task<StoredVersion[]> Call(ReplicaOp op, string node, StoredVersion[] sent, string[] owners)
    {
        var call = new FakeCall(op, node, sent, owners, new TaskCompletionSource<StoredVersion[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        var repeat = 0;
        while (!_calls.TryAdd((op, node, repeat), call))
        {
            Assert.True(AllowRepeats, $"{op} sent to {node} twice");
            repeat++;
        }

        _order.Enqueue(call);
        if (_preset.TryGetValue((op, node), out var answer))
        {
            call.Answer.SetResult(answer);
        }

        return call.Answer.Task;
    }
}

/// <summary>A ring of six nodes; range 0's top three replicas and standbys do not depend on liveness.</summary>
public sealed class FixedRing(RingView view) : IRingViewSource
{
    public const int Range = 0;
    public static readonly byte[] Key = "key"u8.ToArray();
    private static readonly string[] Nodes = ["n0", "n1", "n2", "n3", "n4", "n5"];

    public static IReadOnlyList<string> Top { get; } = With().PreferenceList(Range, 3);

    public static IReadOnlyList<string> Standbys { get; } = With().Standbys(Range, 3);

    public RingView Current => view;

    /// <summary>The ring with <paramref name="down"/> not live.</summary>
    public static RingView With(params string[] down) => new(
        Nodes.ToDictionary(n => n, n => new NodeView(n, "", null, !down.Contains(n))),
        new RingOptions { RangeCount = 16, VirtualNodes = 8 },
        3);

    /// <summary>A version of <paramref name="value"/> with the dot (<paramref name="actor"/>, <paramref name="counter"/>)
    /// that has <paramref name="past"/> in its causal past.</summary>
    public static StoredVersion Version(string actor, ulong counter, string value, params StoredVersion[] past) =>
        new(actor, counter, VectorClock.FromEntries(past.Select(p => new ClockEntry(p.Node, p.Counter, 0))), 0, System.Text.Encoding.UTF8.GetBytes(value));
}
