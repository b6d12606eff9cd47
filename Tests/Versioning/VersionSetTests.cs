// Dotted version vectors: what a new version supersedes, when siblings appear, and the stored encoding.

using GrainKV.Versioning;

namespace GrainKV.Tests.Versioning;

public sealed class VersionSetTests
{
    private static StoredVersion Write(string node, string? value, VectorClock context, params StoredVersion[] local) =>
        VersionSet.Create(node, VersionSet.HighestCounter(node, context, local) + 1, value is null ? null : System.Text.Encoding.UTF8.GetBytes(value), context, local, 1000, 10);

    [Fact]
    public void AWriteWithTheReadContextReplacesWhatWasRead()
    {
        var v1 = Write("a", "1", VectorClock.Empty);
        var v2 = Write("a", "2", VersionSet.Context([v1]), v1);
        Assert.Equal([v2], VersionSet.Merge([v1, v2]));
        Assert.True(v1.IsObsoletedBy(v2));
    }

    [Fact]
    public void AWriteWithoutContextOnTheSameNodeBecomesASibling()
    {
        var v1 = Write("a", "1", VectorClock.Empty);
        var v2 = Write("a", "2", VectorClock.Empty, v1);
        Assert.True(v2.Counter > v1.Counter);
        Assert.Equal(2, VersionSet.Merge([v1, v2]).Length);
    }

    [Fact]
    public void ConcurrentWritesOnTwoNodesAreSiblingsUntilAWriteSeesBoth()
    {
        var a = Write("a", "x", VectorClock.Empty);
        var b = Write("b", "y", VectorClock.Empty);
        var both = VersionSet.Merge([a, b]);
        Assert.Equal(2, both.Length);

        var resolved = Write("c", "xy", VersionSet.Context(both));
        Assert.Equal([resolved], VersionSet.Merge([.. both, resolved]));
    }

    [Fact]
    public void ATombstoneIsAVersionThatSupersedesAndCanBeSuperseded()
    {
        var v1 = Write("a", "1", VectorClock.Empty);
        var deleted = Write("a", null, VersionSet.Context([v1]), v1);
        Assert.True(deleted.IsTombstone);
        Assert.Equal([deleted], VersionSet.Merge([v1, deleted]));

        var revived = Write("b", "again", VersionSet.Context([deleted]));
        Assert.Equal([revived], VersionSet.Merge([v1, deleted, revived]));
    }

    [Fact]
    public void MergeIsIdempotentCommutativeAndDeduplicates()
    {
        var random = new Random(42);
        var versions = new List<StoredVersion>();
        for (var i = 0; i < 200; i++)
        {
            var node = $"n{random.Next(4)}";
            var seen = versions.Where(_ => random.Next(3) == 0).ToArray();
            versions.Add(Write(node, $"v{i}", VersionSet.Context(seen), versions.Where(v => v.Node == node).ToArray()));
            var shuffled = versions.OrderBy(_ => random.Next()).ToArray();
            var merged = VersionSet.Merge(versions);
            Assert.True(VersionSet.SameSet(merged, VersionSet.Merge(shuffled)));
            Assert.True(VersionSet.SameSet(merged, VersionSet.Merge([.. merged, .. merged])));
            Assert.All(merged, v => Assert.DoesNotContain(merged, w => v.IsObsoletedBy(w)));
        }
    }

    [Fact]
    public void VersionSetsRoundTripThroughTheStoredEncoding()
    {
        var a = Write("node-a", "apple", VectorClock.Empty);
        var b = Write("node-b", null, VersionSet.Context([a]));
        var c = Write("node-c", "", VectorClock.Empty);
        var decoded = VersionSetCodec.Decode(VersionSetCodec.Encode([a, b, c]));
        Assert.Equal(3, decoded.Length);
        Assert.Equal(a.Value, decoded[0].Value);
        Assert.Null(decoded[1].Value);
        Assert.Empty(decoded[2].Value!);
        Assert.Equal(b.Past, decoded[1].Past);
        Assert.True(VersionSet.SameSet([a, b, c], decoded));
    }

    [Fact]
    public void TheStoredEncodingIsUnchanged()
    {
        // Version 1 of the format, written by an earlier release: node "a", counter 2, timestamp 300,
        // past {b:1 @ 5}, value "hi"; then a tombstone from node "b", counter 1, timestamp 7, empty past.
        byte[] stored = [1, 2, 1, 97, 2, 172, 2, 6, 1, 1, 1, 98, 1, 5, 1, 2, 104, 105, 1, 98, 1, 7, 2, 1, 0, 0];
        var decoded = VersionSetCodec.Decode(stored);

        Assert.Equal(2, decoded.Length);
        Assert.Equal(("a", 2UL, 300L, "hi"), (decoded[0].Node, decoded[0].Counter, decoded[0].TimestampMs, System.Text.Encoding.UTF8.GetString(decoded[0].Value!)));
        Assert.Equal(1UL, decoded[0].Past.CounterOf("b"));
        Assert.Equal(("b", 1UL, 7L), (decoded[1].Node, decoded[1].Counter, decoded[1].TimestampMs));
        Assert.True(decoded[1].IsTombstone);
        Assert.Equal(stored, VersionSetCodec.Encode(decoded));
    }

    [Fact]
    public void DecodingWithoutValuesKeepsEverythingButTheValues()
    {
        var a = Write("node-a", "apple", VectorClock.Empty);
        var b = Write("node-b", null, VersionSet.Context([a]));
        var c = VersionSet.Create("node-c", 1, [7, 7], VectorClock.Empty, [], 1000, 10, expiresAtMs: 5000);
        var reclaimed = VersionSet.Create("node-d", 1, [8], VectorClock.Empty, [], 1000, 10, expiresAtMs: 2000).ReclaimedAt(3000);
        StoredVersion[] set = [a, b, c, reclaimed];
        var stored = VersionSetCodec.Encode(set);

        var full = VersionSetCodec.Decode(stored);
        var bare = VersionSetCodec.DecodeWithoutValues(stored);
        Assert.Equal(full.Length, bare.Length);
        for (var i = 0; i < full.Length; i++)
        {
            Assert.Equal(
                (full[i].Node, full[i].Counter, full[i].Past, full[i].TimestampMs, full[i].ExpiresAtMs, full[i].IsTombstone, full[i].IsReclaimed),
                (bare[i].Node, bare[i].Counter, bare[i].Past, bare[i].TimestampMs, bare[i].ExpiresAtMs, bare[i].IsTombstone, bare[i].IsReclaimed));
            Assert.Same(full[i].Value is null ? null : VersionSetCodec.NoValue, bare[i].Value);
        }

        Assert.Equal(set.Select(v => v.Value), full.Select(v => v.Value));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 9 })]
    [InlineData(new byte[] { 1, 5, 3 })]
    [InlineData(new byte[] { 1, 1, 1, 65, 1, 1, 2, 1, 0, 7 })]
    [InlineData(new byte[] { 1, 1, 1, 65, 1, 1, 2, 1, 0, 1, 4, 1, 2 })]
    [InlineData(new byte[] { 1, 1, 1, 65, 1, 1, 2, 1, 0, 0, 0 })]
    public void MalformedStoredSetsAreRejected(byte[] bytes)
    {
        Assert.Throws<FormatException>(() => VersionSetCodec.Decode(bytes));
        Assert.Throws<FormatException>(() => VersionSetCodec.DecodeWithoutValues(bytes));
    }
}
