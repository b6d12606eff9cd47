// Gossip liveness in an in-process 3-node cluster: gossip sees every node up; a node partitioned away at the
// gossip layer (GossipFaults, both ways) is seen down by the two others while Orleans membership still has it
// active, and up again after healing; a stopped silo is seen down by the others. Conditions are awaited with
// a bound, never timed.

using GrainKV.Grains.Gossip;
using GrainKV.Tests.Infrastructure;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace GrainKV.Tests.Gossip;

public sealed class GossipClusterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static Task SeenAsync(GrainKvCluster cluster, IEnumerable<InProcessSiloHandle> observers, string node, NodeLiveness state) =>
        Eventually.HoldsAsync(
            () => observers.All(o => cluster.Service<GossipLiveness>(o).StateOf(node) == state),
            Bound,
            $"{string.Join(", ", observers.Select(o => o.Name))} see node {node} {state}");

    private static Task AllUpAsync(GrainKvCluster cluster) => Eventually.HoldsAsync(
        () => cluster.Cluster.Silos.All(o => cluster.Cluster.Silos.All(s => cluster.Service<GossipLiveness>(o).StateOf(s.Name) == NodeLiveness.Up)),
        Bound,
        "every silo sees every node up");

    [Fact]
    public async Task APartitionedNodeIsDownForTheOthersWhileOrleansKeepsItActiveAndUpAfterHealing()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3);
        await AllUpAsync(cluster);
        var silos = cluster.Cluster.Silos.ToArray();
        var (a, b, c) = (silos[0], silos[1], silos[2]);

        // Cut every gossip link of c, rules on both sides as a network partition would.
        var rules = new List<(GossipFaults Faults, GossipFaultRule Rule)>();
        foreach (var (side, peer) in new[] { (a, c), (b, c), (c, a), (c, b) })
        {
            var faults = cluster.Service<GossipFaults>(side);
            rules.Add((faults, faults.Drop(peer.Name)));
        }

        await SeenAsync(cluster, [a, b], c.Name, NodeLiveness.Down);
        var snapshot = cluster.Service<GossipLiveness>(a).Snapshot().Nodes.Single(n => n.NodeId == c.Name);
        Assert.Equal([a.Name, b.Name], snapshot.SuspectedBy.Order(StringComparer.Ordinal));
        foreach (var observer in new[] { a, b })
        {
            var member = cluster.Service<IClusterMembershipService>(observer).CurrentSnapshot.Members.Values.Single(m => m.Name == c.Name);
            Assert.Equal(SiloStatus.Active, member.Status);
        }

        // c alone suspects a and b but, with no second reporter, marks neither down.
        Assert.False(cluster.Service<GossipLiveness>(c).IsDown(a.Name));
        Assert.False(cluster.Service<GossipLiveness>(c).IsDown(b.Name));

        foreach (var (faults, rule) in rules)
        {
            faults.Remove(rule);
        }

        await SeenAsync(cluster, [a, b], c.Name, NodeLiveness.Up);
        await AllUpAsync(cluster);
    }

    [Fact]
    public async Task AStoppedSiloIsDownForTheOthers()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3);
        await AllUpAsync(cluster);
        var silos = cluster.Cluster.Silos.ToArray();
        var stopped = silos[2];

        await cluster.Cluster.StopSiloAsync(stopped);

        await SeenAsync(cluster, [silos[0], silos[1]], stopped.Name, NodeLiveness.Down);
    }

    [Fact]
    public async Task ExchangesWithAPeerThatNeverAnswersEndAtTheTimeoutOneAtATime()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3);
        await AllUpAsync(cluster);
        var silos = cluster.Cluster.Silos.ToArray();
        var (a, c) = (silos[0], silos[2]);
        var agent = cluster.Service<GossipAgent>(a);

        // c accepts a's exchanges and never answers them.
        var hold = cluster.Service<GossipFaults>(c).Hold(a.Name);
        var before = agent.ExchangesWith(c.Name);

        // Several exchanges end unanswered: each is given up at the exchange timeout (three within the bound could
        // not end by Orleans' 30 s response timeout with one at a time), and c is not down for a: it still hears
        // c through c's own calls and through b.
        var maxInFlight = 0;
        await Eventually.HoldsAsync(
            () =>
            {
                maxInFlight = Math.Max(maxInFlight, agent.ExchangesInFlight);
                return agent.ExchangesWith(c.Name).Failed >= before.Failed + 3;
            },
            Bound,
            $"{a.Name} gave up three exchanges with {c.Name}");
        Assert.InRange(maxInFlight, 0, 2);
        Assert.False(cluster.Service<GossipLiveness>(a).IsDown(c.Name));

        cluster.Service<GossipFaults>(c).Remove(hold);
        var released = agent.ExchangesWith(c.Name).Completed;
        await Eventually.HoldsAsync(() => agent.ExchangesWith(c.Name).Completed > released, Bound, $"{a.Name} exchanges with {c.Name} again");
    }
}
