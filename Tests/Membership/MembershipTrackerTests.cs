// Ring membership from cluster membership: joins, graceful leaves, crashes kept until the
// permanent-failure timeout, and restarts that keep a node's place.

using System.Net;
using GrainKV.Grains.Membership;
using Orleans.Runtime;

namespace GrainKV.Tests.Membership;

public sealed class MembershipTrackerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static MemberObservation Member(string node, int port, int generation, SiloStatus status) =>
        new(node, SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation), status, "");

    [Fact]
    public void ActiveNodesJoinTheRing()
    {
        var tracker = new MembershipTracker(Timeout);
        Assert.True(tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, SiloStatus.Joining)], T0));
        Assert.Equal(["a"], tracker.Ring.Keys);
        Assert.True(tracker.Observe([Member("b", 2, 1, SiloStatus.Active)], T0));
        Assert.Equal(["a", "b"], tracker.Ring.Keys.Order());
        Assert.All(tracker.Ring.Values, n => Assert.True(n.IsLive));
    }

    [Fact]
    public void ASiloRefusedWithALiveNodesIdDoesNotReplaceThatNode()
    {
        var tracker = new MembershipTracker(Timeout);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active)], T0);
        var impostor = Member("a", 9, 2, SiloStatus.Joining);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), impostor], T0);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), impostor with { Status = SiloStatus.Dead }], T0);

        var node = Assert.Single(tracker.Ring.Values);
        Assert.True(node.IsLive);
        Assert.Equal(1, node.Address!.Endpoint.Port);
    }

    [Fact]
    public void AGracefullyStoppedNodeKeepsItsPlaceUntilThePermanentFailureTimeout()
    {
        var tracker = new MembershipTracker(Timeout);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, SiloStatus.Active)], T0);
        Assert.True(tracker.Observe([Member("b", 2, 1, SiloStatus.ShuttingDown)], T0));
        Assert.Equal(["a", "b"], tracker.Ring.Keys.Order(StringComparer.Ordinal));
        Assert.False(tracker.Ring["b"].IsLive);

        // Its timeout runs from when it started stopping, not from when it was dead.
        tracker.Observe([Member("b", 2, 1, SiloStatus.Dead)], T0 + TimeSpan.FromSeconds(30));
        Assert.Contains("b", tracker.Ring.Keys);
        Assert.True(tracker.Expire(T0 + Timeout));
        Assert.DoesNotContain("b", tracker.Ring.Keys);
    }

    [Fact]
    public void ANodeRestartedAfterAGracefulStopIsLiveAgainInItsPlace()
    {
        var tracker = new MembershipTracker(Timeout);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, SiloStatus.Active)], T0);
        tracker.Observe([Member("b", 2, 1, SiloStatus.Dead)], T0);
        tracker.Observe([Member("b", 2, 1, SiloStatus.Dead), Member("b", 2, 2, SiloStatus.Active)], T0 + TimeSpan.FromSeconds(5));
        Assert.True(tracker.Ring["b"].IsLive);
        Assert.False(tracker.Expire(T0 + Timeout * 2));
        Assert.Contains("b", tracker.Ring.Keys);
    }

    [Fact]
    public void ACrashedNodeKeepsItsPlaceUntilThePermanentFailureTimeout()
    {
        var tracker = new MembershipTracker(Timeout);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active), Member("b", 2, 1, SiloStatus.Active)], T0);
        Assert.True(tracker.Observe([Member("b", 2, 1, SiloStatus.Dead)], T0));
        Assert.False(tracker.Ring["b"].IsLive);

        Assert.False(tracker.Expire(T0 + Timeout - TimeSpan.FromSeconds(1)));
        Assert.Contains("b", tracker.Ring.Keys);
        Assert.True(tracker.Expire(T0 + Timeout));
        Assert.DoesNotContain("b", tracker.Ring.Keys);
        Assert.False(tracker.Observe([Member("b", 2, 1, SiloStatus.Dead)], T0 + Timeout * 2));
    }

    [Fact]
    public void ARestartedNodeComesBackLiveUnderItsNodeId()
    {
        var tracker = new MembershipTracker(Timeout);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Active)], T0);
        tracker.Observe([Member("a", 1, 1, SiloStatus.Dead)], T0);
        Assert.False(tracker.Ring["a"].IsLive);

        tracker.Observe([Member("a", 1, 1, SiloStatus.Dead), Member("a", 1, 2, SiloStatus.Active)], T0 + TimeSpan.FromMinutes(1));
        var node = Assert.Single(tracker.Ring.Values);
        Assert.True(node.IsLive);
        Assert.Equal(2, node.Address!.Generation);
        Assert.False(tracker.Expire(T0 + Timeout * 2));
    }
}
