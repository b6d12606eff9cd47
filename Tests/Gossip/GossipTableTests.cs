// The gossip rules on the pure table, with time on a FakeTimeProvider: a silent node is suspected after the
// timeout and down only when a second node reports it; one false suspicion marks nothing down; a node heard
// from again (or restarted, with a new generation) is up again; in a two-node cluster one suspecter is
// enough; and merge is commutative, associative and idempotent (a seeded random property loop).

using GrainKV.Grains.Gossip;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.Gossip;

public sealed class GossipTableTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly FakeTimeProvider _time = new();

    private GossipTable Node(string id, long generation = 1) => new(id, generation, Timeout, _time.GetUtcNow());

    /// <summary>Nodes that all know each other, after one full round of exchanges.</summary>
    private GossipTable[] Cluster(params string[] ids)
    {
        var nodes = ids.Select(id => Node(id)).ToArray();
        foreach (var node in nodes)
        {
            node.Tick(_time.GetUtcNow());
        }

        ExchangeAll(nodes);
        return nodes;
    }

    private void ExchangeAll(params GossipTable[] nodes)
    {
        foreach (var from in nodes)
        {
            foreach (var to in nodes)
            {
                Send(from, to);
            }
        }
    }

    private void Send(GossipTable from, GossipTable to) => to.Merge(from.Digest(), _time.GetUtcNow());

    /// <summary>One period passes; <paramref name="ticking"/> tick.</summary>
    private void Period_(params GossipTable[] ticking)
    {
        _time.Advance(Period);
        foreach (var node in ticking)
        {
            node.Tick(_time.GetUtcNow());
        }
    }

    [Fact]
    public void ASilentNodeIsSuspectedAfterTheTimeoutAndDownOnlyWhenASecondNodeReportsIt()
    {
        var (a, b, c) = Three();

        // c falls silent; a and b keep ticking but do not talk to each other yet.
        Period_(a, b);
        Period_(a, b);
        Assert.Equal(NodeLiveness.Up, a.StateOf("c"));
        Period_(a, b);

        Assert.Equal(NodeLiveness.Suspect, a.StateOf("c"));
        Assert.Equal(NodeLiveness.Suspect, b.StateOf("c"));
        Assert.Equal(["a"], a.Statuses(_time.GetUtcNow()).Single(s => s.NodeId == "c").SuspectedBy);

        // b's suspicion reaches a: two distinct reporters.
        Send(b, a);
        Assert.Equal(NodeLiveness.Down, a.StateOf("c"));
        Assert.Equal(["a", "b"], a.Statuses(_time.GetUtcNow()).Single(s => s.NodeId == "c").SuspectedBy);
        Assert.Equal(NodeLiveness.Suspect, b.StateOf("c"));
        Send(a, b);
        Assert.Equal(NodeLiveness.Down, b.StateOf("c"));
        Assert.Equal(NodeLiveness.Up, a.StateOf("a"));
        Assert.Equal(NodeLiveness.Up, a.StateOf("b"));
    }

    [Fact]
    public void OneFalseSuspicionMarksNothingDown()
    {
        var (a, b, c) = Three();

        // a no longer hears c (a one-sided link failure); b and c talk on.
        for (var i = 0; i < 5; i++)
        {
            Period_(a, b, c);
            Send(c, b);
            Send(b, c);
        }

        Assert.Equal(NodeLiveness.Suspect, a.StateOf("c"));

        // a tells b: b has heard a larger heartbeat of c, so a's suspicion is stale there and dropped.
        Send(a, b);
        Assert.Equal(NodeLiveness.Up, b.StateOf("c"));
        Assert.Empty(b.Statuses(_time.GetUtcNow()).Single(s => s.NodeId == "c").SuspectedBy);

        // Even a node that holds a's suspicion at c's current heartbeat sees c only suspected, not down.
        var d = Node("d");
        d.Merge(a.Digest(), _time.GetUtcNow());
        Assert.Equal(NodeLiveness.Suspect, d.StateOf("c"));

        // b tells a: c's newer heartbeat clears a's own suspicion.
        Send(b, a);
        Assert.Equal(NodeLiveness.Up, a.StateOf("c"));
    }

    [Fact]
    public void ANodeHeardFromAgainIsUpAgain()
    {
        var (a, b, c) = DownC();

        Period_(c);
        Send(c, a);

        Assert.Equal(NodeLiveness.Up, a.StateOf("c"));
        Assert.Empty(a.Statuses(_time.GetUtcNow()).Single(s => s.NodeId == "c").SuspectedBy);

        // Heard indirectly, through a, b sees it up too.
        Send(a, b);
        Assert.Equal(NodeLiveness.Up, b.StateOf("c"));
    }

    [Fact]
    public void ARestartedNodeWithAFreshCounterIsUpAgainThroughItsNewGeneration()
    {
        var (a, b, _) = DownC();

        var restarted = Node("c", generation: 2);
        restarted.Tick(_time.GetUtcNow());
        Send(restarted, a);

        Assert.Equal(NodeLiveness.Up, a.StateOf("c"));
        Assert.Equal(new Heartbeat(2, 1), a.Digest().Single(e => e.Node == "c").Heartbeat);
        Send(a, b);
        Assert.Equal(NodeLiveness.Up, b.StateOf("c"));
    }

    [Fact]
    public void InATwoNodeClusterTheOtherNodeAloneMarksANodeDown()
    {
        var nodes = Cluster("a", "b");
        var a = nodes[0];
        Assert.Equal(1, a.Quorum);

        Period_(a);
        Period_(a);
        Assert.Equal(NodeLiveness.Up, a.StateOf("b"));
        Period_(a);
        Assert.Equal(NodeLiveness.Down, a.StateOf("b"));
    }

    [Fact]
    public void AMemberNeverHeardFromIsSuspectedAfterTheTimeoutAndANodeNeverSuspectsItself()
    {
        var a = Node("a");
        a.Know(["b", "c"], _time.GetUtcNow());
        for (var i = 0; i < 3; i++)
        {
            Period_(a);
        }

        Assert.Equal(NodeLiveness.Suspect, a.StateOf("b"));
        Assert.Equal(NodeLiveness.Up, a.StateOf("a"));
        Assert.Equal(NodeLiveness.Unknown, a.StateOf("z"));
    }

    [Fact]
    public void MergeIsCommutativeAssociativeAndIdempotent()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 500; i++)
        {
            var x = RandomDigest(random);
            var y = RandomDigest(random);
            var z = RandomDigest(random);

            Assert.Equal(Render(Merged(x, y)), Render(Merged(y, x)));
            Assert.Equal(Render(Merged(Merged(x, y), z)), Render(Merged(x, Merged(y, z))));
            Assert.Equal(Render(Merged(x)), Render(Merged(x, x)));
            Assert.Equal(Render(Merged(x, y)), Render(Merged(x, y, x, y)));
        }
    }

    private (GossipTable A, GossipTable B, GossipTable C) Three()
    {
        var nodes = Cluster("a", "b", "c");
        return (nodes[0], nodes[1], nodes[2]);
    }

    private (GossipTable A, GossipTable B, GossipTable C) DownC()
    {
        var (a, b, c) = Three();
        for (var i = 0; i < 3; i++)
        {
            Period_(a, b);
            ExchangeAll(a, b);
        }

        Assert.Equal(NodeLiveness.Down, a.StateOf("c"));
        Assert.Equal(NodeLiveness.Down, b.StateOf("c"));
        return (a, b, c);
    }

    private GossipEntry[] Merged(params GossipEntry[][] digests)
    {
        // "self" never appears in the random digests, so its entry stays as created.
        var table = new GossipTable("self", 1, Timeout, _time.GetUtcNow());
        foreach (var digest in digests)
        {
            table.Merge(digest, _time.GetUtcNow());
        }

        return table.Digest();
    }

    private static GossipEntry[] RandomDigest(Random random)
    {
        string[] nodes = ["a", "b", "c", "d"];
        return nodes.Where(_ => random.Next(3) > 0)
            .Select(node => new GossipEntry(
                node,
                RandomHeartbeat(random),
                nodes.Where(s => s != node && random.Next(2) == 0).Select(s => new Suspicion(s, RandomHeartbeat(random))).ToArray()))
            .ToArray();
    }

    private static Heartbeat RandomHeartbeat(Random random) => new(random.Next(1, 3), random.Next(0, 5));

    private static string Render(GossipEntry[] digest) =>
        string.Join("; ", digest.Select(e => $"{e.Node}@{e.Heartbeat}[{string.Join(",", e.Suspicions.Select(s => $"{s.Suspecter}@{s.Heartbeat}"))}]"));
}
