// What a read's answers merge to: a lone answer of one version is taken as it is, anything else is merged
// (covered versions dropped, concurrent ones kept as siblings, copies of one write once); what a replica's headers
// tell against the versions read with values (covered, or lacking a version and so stale).

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

    [Fact]
    public void HeadersAreCoveredByTheSameWritesOrNewerOnesAndNothingElse()
    {
        var old = Version("a", 1, "old");
        var newer = Version("a", 2, "newer", VectorClock.Empty.Increment("a", 1));
        var sibling = Version("b", 1, "sibling");
        static StoredVersion Header(StoredVersion version) => version with { Value = null };

        Assert.True(ReadCore.Covers([newer], [Header(newer)]));
        Assert.True(ReadCore.Covers([newer], [Header(old)]));
        Assert.True(ReadCore.Covers([newer], []));
        Assert.True(ReadCore.Covers([newer, sibling], [Header(old), Header(sibling)]));
        Assert.False(ReadCore.Covers([old], [Header(newer)]));
        Assert.False(ReadCore.Covers([newer], [Header(sibling)]));
        Assert.False(ReadCore.Covers([], [Header(old)]));

        // One dot, another timestamp or past: a dot issued twice, which only a read of the values can show.
        Assert.False(ReadCore.Covers([old], [Header(old) with { TimestampMs = old.TimestampMs + 1 }]));
        Assert.False(ReadCore.Covers([old], [Header(old) with { Past = VectorClock.Empty.Increment("b", 1) }]));
    }

    [Fact]
    public void AReplicaAnsweringHeadersIsStaleWhenItLacksAVersionOfTheMerge()
    {
        var old = Version("a", 1, "old");
        var newer = Version("a", 2, "newer", VectorClock.Empty.Increment("a", 1));
        var sibling = Version("b", 1, "sibling");
        var headers = new HeaderReplicas(["v", "h"], "v");

        Assert.False(ReadCore.Lacks([newer with { Value = null }], [newer]));
        Assert.True(ReadCore.Lacks([old with { Value = null }], [newer]));
        Assert.True(ReadCore.Lacks([newer with { Value = null }], [newer, sibling]));
        Assert.False(ReadCore.Lacks([newer with { Value = null }, sibling with { Value = null }], [newer]));

        // Judged by headers, a replica asked for them is not stale for lacking values; one asked for values is.
        Assert.Empty(ReadCore.Stale([Answer("h", newer with { Value = null })], [newer], headers));
        Assert.Equal(["v"], ReadCore.Stale([Answer("v", newer with { Value = null })], [newer], headers));
        Assert.True(ReadCore.MayNeedRepair(2, [Answer("h", newer with { Value = null })], [newer], headers));
        Assert.False(ReadCore.MayNeedRepair(1, [Answer("h", newer with { Value = null })], [newer], headers));
    }

    [Fact]
    public void AReplicaLackingOnlyVersionsCreatedSinceTheRepairHorizonIsNotStale()
    {
        var old = Version("a", 1, "old") with { TimestampMs = 1_000 };
        var newer = Version("a", 2, "newer", VectorClock.Empty.Increment("a", 1)) with { TimestampMs = 5_000 };
        var sibling = Version("b", 1, "sibling") with { TimestampMs = 2_000 };
        var headers = new HeaderReplicas(["v", "h"], "v");

        // Lacking the newer version (created at 5,000): stale with no horizon or one after it, not with one at or before it.
        foreach (var node in new[] { "v", "h" })
        {
            var answer = Answer(node, node == "h" ? old with { Value = null } : old);
            Assert.True(ReadCore.IsStale(answer, [newer], headers));
            Assert.True(ReadCore.IsStale(answer, [newer], headers, createdBeforeMs: 5_001));
            Assert.False(ReadCore.IsStale(answer, [newer], headers, createdBeforeMs: 5_000));
            Assert.False(ReadCore.MayNeedRepair(1, [answer], [newer], headers, createdBeforeMs: 5_000));
        }

        // Lacking an older sibling beside the new version still makes it stale.
        Assert.True(ReadCore.IsStale(Answer("h", newer with { Value = null }), [newer, sibling], headers, createdBeforeMs: 5_000));
        Assert.True(ReadCore.IsStale(Answer("v", newer), [newer, sibling], headers, createdBeforeMs: 5_000));
        Assert.False(ReadCore.IsStale(Answer("v", sibling), [newer, sibling], headers, createdBeforeMs: 5_000));
    }
}
