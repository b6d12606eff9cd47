// Operator commands through the client library: refused with a typed error, naming the reason, when they cannot be
// carried out (and then nothing changes), and a node started on an empty data directory while on the ring streams
// every range it owns back from the other replicas, without anti-entropy.

using GrainKV.Grains.Handoff;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Streaming;
using GrainKV.Tests.Cluster;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Streaming;

public sealed class MembershipCommandTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private GrainKvCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task AnUnknownNodeIsRefused()
    {
        var error = await Assert.ThrowsAsync<MembershipChangeException>(() => Cluster.Client.DecommissionNodeAsync("no-such-node"));
        Assert.Contains("not on the ring", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MembershipChangeException>(() => Cluster.Client.RemoveNodeAsync("no-such-node"));
    }

    [Fact]
    public async Task ALiveNodeIsNotRemovedAndNoNodeIsDecommissionedBelowNNodes()
    {
        var node = Cluster.Cluster.Silos[1].Name;
        var live = await Assert.ThrowsAsync<MembershipChangeException>(() => Cluster.Client.RemoveNodeAsync(node));
        Assert.Contains("is live", live.Message, StringComparison.Ordinal);

        var tooFew = await Assert.ThrowsAsync<MembershipChangeException>(() => Cluster.Client.DecommissionNodeAsync(node));
        Assert.Contains("fewer than the 3 replicas", tooFew.Message, StringComparison.Ordinal);

        foreach (var silo in Cluster.Cluster.Silos)
        {
            Assert.All(Cluster.Service<RingMembership>(silo).Record.Entries, e => Assert.Equal(RingState.Normal, e.State));
        }
    }

    [Fact]
    public async Task ANodeRestartedOnAnEmptyDataDirectoryStreamsItsRangesBack()
    {
        const int Keys = 500;
        await Parallel.ForEachAsync(Enumerable.Range(0, Keys), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await Cluster.Client.PutAsync($"wiped-{i}", "value"));
        var node = Cluster.Cluster.Silos[2].Name;

        // A put returns after W=2 acks; the third copy may still be on its way, or be kept as a hint (even one whose slow
        // copy arrived after all: the copy is applied, its answer comes late, and the coordinator keeps a hint when it
        // times out). Wait until the node holds every key, no copy to it is in flight and no hint is left anywhere, so
        // that after the wipe the keys can come back only by streaming, which is what KeysAdded counts. A copy's hint is
        // kept before its slot is released, so copies are checked before hints.
        await Eventually.HoldsAsync(
            () => DataMovementTests.HeldKeys(Cluster, Cluster.SiloNamed(node)).Count(k => k.StartsWith("wiped-", StringComparison.Ordinal)) == Keys
                  && Cluster.Cluster.Silos.All(s => Cluster.Service<ReplicaCopies>(s).InFlight(node) == 0)
                  && Cluster.Cluster.Silos.All(s => Cluster.Service<HintStore>(s).Count == 0),
            TimeSpan.FromMinutes(2),
            $"node {node} holds all {Keys} keys and no hint is pending before the wipe");

        await Cluster.WipeAndRestartAsync(node);
        var silo = Cluster.SiloNamed(node);
        await Eventually.HoldsAsync(
            () => DataMovementTests.HeldKeys(Cluster, silo).Count(k => k.StartsWith("wiped-", StringComparison.Ordinal)) == Keys,
            TimeSpan.FromMinutes(2),
            $"the wiped node {node} holds all {Keys} keys again (N=3 on 3 nodes)");

        // A key is counted just after it is stored, so the count may trail the keys held for a moment.
        await Eventually.HoldsAsync(
            () => Cluster.Service<StreamingCounters>(silo).KeysAdded >= Keys,
            TimeSpan.FromSeconds(30),
            $"streaming counts all {Keys} keys as added to {node}");
    }
}
