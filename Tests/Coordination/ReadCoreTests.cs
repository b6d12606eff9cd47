// What a read's answers merge to: a lone answer of one version is taken as it is, anything else is merged
// (covered versions dropped, concurrent ones kept as siblings, copies of one write once).

using System.Text;
using GrainKV.Grains.Coordination;
using GrainKV.Versioning;

namespace GrainKV.Tests.Coordination;

public sealed class ReadCoreTests
{
    private static StoredVersion Version(string node, ulong counter, string value, VectorClock? past = null) =>
        new(node, counter, past ?? VectorClock.Empty, 500, Encoding.UTF8.GetBytes(value));

    private static ReplicaAnswer<StoredVersion[]> Answer(string node, params StoredVersion[] versions) => new(node, versions);

    [Fact]
    public void ALoneAnswerOfOneVersionIsItsOwnMerge()
    {
        var answer = Answer("a", Version("a", 1, "v"));

        Assert.Same(answer.Value, ReadCore.Merge([answer]));
        Assert.Empty(ReadCore.Merge([Answer("a")]));
        Assert.Empty(ReadCore.Stale([answer], ReadCore.Merge([answer])));
    }

    [Fact]
    public void AnswersAreMergedIntoTheVersionsNoOtherCovers()
    {
        var old = Version("a", 1, "old");
        var newer = Version("a", 2, "newer", VectorClock.Empty.Increment("a", 1));
        var sibling = Version("b", 1, "sibling");

        var merged = ReadCore.Merge([Answer("a", newer), Answer("b", old, sibling)]);

        Assert.Equal(["newer", "sibling"], merged.Select(v => Encoding.UTF8.GetString(v.Value!)).Order());
        Assert.Equal(["b"], ReadCore.Stale([Answer("a", newer, sibling), Answer("b", old, sibling)], merged));
        Assert.Single(ReadCore.Merge([Answer("a", old), Answer("b", old)]));
    }
}
