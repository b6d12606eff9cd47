// The order a coordinator asks replicas in: this node, then live nodes of its datacenter, then live nodes of other
// datacenters, then the down ones, each group in preference order.

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Coordination;

public sealed class RequestRulesTests
{
    private static RingView View(params string[] down) => new(
        new[] { ("a", "dc1"), ("b", "dc2"), ("c", "dc1"), ("d", "dc2"), ("e", "dc1") }
            .ToDictionary(x => x.Item1, x => new NodeView(x.Item1, x.Item2, null, !down.Contains(x.Item1))),
        new RingOptions { RangeCount = 16, VirtualNodes = 8 },
        3);

    [Theory]
    [InlineData("c", "dc1", new string[0], "c,a,e,b,d")]
    [InlineData("c", "dc1", new[] { "a" }, "c,e,b,d,a")]
    [InlineData("b", "dc2", new[] { "d" }, "b,a,c,e,d")]
    [InlineData("x", "dc1", new[] { "c", "b" }, "a,e,d,b,c")]
    public void ThisNodeFirstThenItsDatacentersLiveNodesThenTheOthersLiveThenTheDown(string local, string datacenter, string[] down, string expected)
    {
        var order = RequestRules.ContactOrder(View(down), ["a", "b", "c", "d", "e"], local, datacenter);
        Assert.Equal(expected, string.Join(",", order));
    }
}
