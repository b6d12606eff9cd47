// A write merges with the stored versions read without their values (VersionSetCodec.DecodeWithoutValues, or the
// node's VersionCache) and reads the values only when VersionSet.HeadersSuffice says the merge needs them. Property:
// whenever it says they are not needed, the merge of the headers is the merge of the full versions, values and the
// dot-conflict flag included. The encoding without values reads back as the full encoding does.

using CsCheck;
using GrainKV.Versioning;

namespace GrainKV.Tests.Versioning;

public sealed class HeaderMergeTests
{
    /// <summary>Versions over few dots (so copies, dot conflicts and obsolescence all occur), with values, tombstones,
    /// expiring and reclaimed versions.</summary>
    private static readonly Gen<StoredVersion> Version =
        Gen.Select(Gen.Int[0, 2], Gen.ULong[1, 3], ClockGen.SmallClock, Gen.Int[0, 3], Gen.Byte[0, 2]).Select(x =>
        {
            var (node, counter, past, kind, value) = x;
            var version = new StoredVersion($"node-{node}", counter, past, 1000, kind == 0 ? null : [value]);
            return kind switch
            {
                2 => version with { ExpiresAtMs = 5000 },
                3 => (version with { ExpiresAtMs = 2000 }).ReclaimedAt(3000),
                _ => version,
            };
        });

    [Fact]
    public void WhenHeadersSufficeTheirMergeIsTheMergeOfTheValues()
    {
        var (needed, notNeeded) = (0, 0);
        Gen.Select(Version.Array[0, 4], Version.Array[0, 3], Gen.Int[0, 15]).Sample(x =>
        {
            var (stored, fresh, copies) = x;
            var local = VersionSet.Merge(stored); // what a node stores is always a merged set

            // New versions, and copies of stored ones delivered again (as read repair and anti-entropy do).
            StoredVersion[] added = [.. fresh, .. local.Where((_, i) => (copies >> i & 1) == 1)];
            if (added.Length == 0)
            {
                return;
            }
            var headers = VersionSetCodec.DecodeWithoutValues(VersionSetCodec.Encode(local));

            var fromHeaders = VersionSet.Merge([.. headers, .. added], out var headerConflict);
            var fromValues = VersionSet.Merge([.. local, .. added], out var valueConflict);
            if (VersionSet.HeadersSuffice(headers, added, fromHeaders))
            {
                notNeeded++;
                Assert.Equal(Contents(fromValues), Contents(fromHeaders));
                Assert.Equal(valueConflict, headerConflict);
            }
            else
            {
                needed++;
            }
        }, iter: 5000);

        // Both outcomes occur, so the property was tested, not skipped.
        Assert.True(needed > 0 && notNeeded > 0, $"needed {needed}, not needed {notNeeded}");
    }

    [Fact]
    public void AStoredVersionTheMergeKeepsNeedsItsValue()
    {
        var stored = new StoredVersion("node-0", 1, VectorClock.Empty, 1000, [7]);
        var concurrent = new StoredVersion("node-1", 1, VectorClock.Empty, 1000, [8]);
        StoredVersion[] headers = [stored with { Value = VersionSetCodec.NoValue }];
        Assert.False(VersionSet.HeadersSuffice(headers, [concurrent], VersionSet.Merge([.. headers, concurrent])));

        var superseding = new StoredVersion("node-1", 1, ClockGen.Of(("node-0", 1)), 1000, [8]);
        Assert.True(VersionSet.HeadersSuffice(headers, [superseding], VersionSet.Merge([.. headers, superseding])));
    }

    [Fact]
    public void AStoredVersionDeliveredAgainNeedsItsValueToBeToldFromADotConflict()
    {
        var stored = new StoredVersion("node-0", 1, VectorClock.Empty, 1000, [7]);
        var superseding = new StoredVersion("node-1", 1, ClockGen.Of(("node-0", 1)), 1000, [8]);
        StoredVersion[] headers = [stored with { Value = VersionSetCodec.NoValue }];
        StoredVersion[] added = [stored, superseding]; // the stored version comes again, with what supersedes it

        // The merge keeps only the new version either way, but the headers alone would report a dot conflict.
        var merged = VersionSet.Merge([.. headers, .. added], out var conflict);
        Assert.True(conflict);
        Assert.False(VersionSet.HeadersSuffice(headers, added, merged));
        VersionSet.Merge([stored, .. added], out var real);
        Assert.False(real);
    }

    [Fact]
    public void TheEncodingWithoutValuesReadsBackAsTheFullEncodingDoes()
    {
        Version.Array[0, 5].Sample(versions =>
        {
            var full = VersionSetCodec.Encode(versions);
            var buffer = new byte[full.Length];
            var length = VersionSetCodec.EncodeWithoutValues(versions, buffer);

            Assert.InRange(length, 1, full.Length);
            Assert.Equal(
                Contents(VersionSetCodec.DecodeWithoutValues(full)),
                Contents(VersionSetCodec.DecodeWithoutValues(buffer.AsSpan(0, length))));
            Assert.Equal(0, VersionSetCodec.EncodeWithoutValues(versions, new byte[length - 1]));

            // With the size given (computed once by the caller): the same bytes; a wrong size is refused.
            Assert.Equal(length, VersionSetCodec.EncodedSizeWithoutValues(versions));
            var sized = new byte[length];
            Assert.Equal(length, VersionSetCodec.EncodeWithoutValues(versions, sized, length));
            Assert.Equal(buffer.AsSpan(0, length).ToArray(), sized);
            Assert.Throws<InvalidOperationException>(() => VersionSetCodec.EncodeWithoutValues(versions, new byte[length + 1], length + 1));
        });
    }

    [Fact]
    public void EncodingIntoABufferWritesTheSameBytesAndRefusesOneTooShort()
    {
        Version.Array[0, 5].Sample(versions =>
        {
            var full = VersionSetCodec.Encode(versions);
            var pooled = new byte[full.Length + 7]; // a pooled buffer is often longer than asked for
            pooled.AsSpan().Fill(0xEE);

            Assert.Equal(full.Length, VersionSetCodec.EncodedSize(versions));
            Assert.Equal(full.Length, VersionSetCodec.Encode(versions, pooled));
            Assert.Equal(full, pooled[..full.Length]);
            Assert.Throws<ArgumentOutOfRangeException>(() => VersionSetCodec.Encode(versions, new byte[full.Length - 1]));

            // With the size given (computed once by the caller): the same bytes; a wrong size is refused.
            var sized = new byte[full.Length + 7];
            Assert.Equal(full.Length, VersionSetCodec.Encode(versions, sized, full.Length));
            Assert.Equal(full, sized[..full.Length]);
            Assert.Throws<ArgumentOutOfRangeException>(() => VersionSetCodec.Encode(versions, new byte[full.Length - 1], full.Length));
            Assert.Throws<InvalidOperationException>(() => VersionSetCodec.Encode(versions, new byte[full.Length + 1], full.Length + 1));
        });
    }

    private static IEnumerable<(string, ulong, VectorClock, long, long, string?)> Contents(IEnumerable<StoredVersion> versions) =>
        versions.Select(v => (v.Node, v.Counter, v.Past, v.TimestampMs, v.ExpiresAtMs, v.Value is null ? null : Convert.ToHexString(v.Value)));
}
