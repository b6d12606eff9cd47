// Node addresses and liveness from cluster membership: joins, graceful stops and crashes (a stopped node stays
// known, not live, for as long as it is away: only the ring record takes a node off the ring), and restarts.

using System.Net;
using GrainKV.Grains.Membership;
using Orleans.Runtime;

namespace GrainKV.Tests.Membership;

public sealed class MembershipTrackerTests
{
    private static MemberObservation Member(string node, int port, int generation, SiloStatus status) =>
        new(node, SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation), status, "");

    [Fact]
    public void ActiveNodesBecomeKnownAndLive()
    {
        var tracker = new MembershipTracker();
        Assert.True(tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, SiloStatus.Joining)]));
        Assert.Equal(["a"], tracker.Known.Keys);
        Assert.True(tracker.Observe([Member("b", 2, 1, SiloStatus.Active)]));
        Assert.Equal(["a", "b"], tracker.Known.Keys.Order());
        Assert.All(tracker.Known.Values, n => Assert.True(n.IsLive));
    }

    [Fact]
    public void ASiloRefusedWithALiveNodesIdDoesNotReplaceThatNode()
    {
        var tracker = new MembershipTracker();
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active)]);
        var impostor = Member("a", 9, 2, SiloStatus.Joining);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), impostor]);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), impostor with { Status = SiloStatus.Dead }]);

        var node = Assert.Single(tracker.Known.Values);
        Assert.True(node.IsLive);
        Assert.Equal(1, node.Address!.Endpoint.Port);
    }

    [Theory]
    [InlineData(SiloStatus.ShuttingDown)]
    [InlineData(SiloStatus.Dead)]
    public void AStoppedOrCrashedNodeStaysKnownNotLiveForAsLongAsItIsAway(SiloStatus status)
    {
        var tracker = new MembershipTracker();
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, SiloStatus.Active)]);
        Assert.True(tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, status)]));
        for (var i = 0; i < 3; i++)
        {
            Assert.False(tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, status)]));
        }

        Assert.False(tracker.Known["b"].IsLive);
        Assert.Equal(["a", "b"], tracker.Known.Keys.Order());
    }

    [Fact]
    public void ARestartedNodeIsLiveAgainAtItsNewAddress()
    {
        var tracker = new MembershipTracker();
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active)]);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Dead)]);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Dead), Member("a", 5, 2, SiloStatus.Joining)]);
        Assert.False(tracker.Known["a"].IsLive);
        Assert.Equal(1, tracker.Known["a"].Address!.Endpoint.Port);

        Assert.True(tracker.Observe([Member("a", 1, 1, SiloStatus.Dead), Member("a", 5, 2, SiloStatus.Active)]));
        Assert.True(tracker.Known["a"].IsLive);
        Assert.Equal(5, tracker.Known["a"].Address!.Endpoint.Port);
    }
}
