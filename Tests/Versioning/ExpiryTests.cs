// Expiry of versions: the stored encoding (flag bit 1; sets without expiry unchanged), what reads see at a given
// time, what merging and repair compare (a reclaimed copy is the same write), how an expired version hashes
// (never by time or value), and when a set is dead enough to purge.

using System.Text;
using CsCheck;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Expiry;
using GrainKV.Versioning;

namespace GrainKV.Tests.Versioning;

public sealed class ExpiryTests
{
    private const long Now = 1_000_000;

    private static StoredVersion Value(string node, ulong counter, string value, long expiresAtMs = 0, VectorClock? past = null) =>
        new(node, counter, past ?? VectorClock.Empty, 500, Encoding.UTF8.GetBytes(value)) { ExpiresAtMs = expiresAtMs };

    private static StoredVersion Tombstone(string node, ulong counter, long timestampMs) => new(node, counter, VectorClock.Empty, timestampMs, null);

    [Fact]
    public void ExpiringAndReclaimedVersionsRoundTripThroughTheStoredEncoding()
    {
        var expiring = Value("a", 1, "soon", expiresAtMs: Now + 30_000);
        var reclaimed = Value("b", 4, "gone", expiresAtMs: Now - 1).ReclaimedAt(Now);
        var lasting = Value("c", 2, "lasting");
        var decoded = VersionSetCodec.Decode(VersionSetCodec.Encode([expiring, reclaimed, lasting, Tombstone("d", 1, 9)]));

        Assert.Equal(Now + 30_000, decoded[0].ExpiresAtMs);
        Assert.Equal("soon", Encoding.UTF8.GetString(decoded[0].Value!));
        Assert.True(decoded[1].IsReclaimed);
        Assert.False(decoded[1].IsTombstone);
        Assert.Equal(Now - 1, decoded[1].ExpiresAtMs);
        Assert.False(decoded[2].Expires);
        Assert.True(decoded[3].IsTombstone);
        Assert.All(decoded.Zip([expiring, reclaimed, lasting]), p => Assert.True(p.First.SameWrite(p.Second)));
    }

    [Fact]
    public void ASetWithoutExpiryIsEncodedAsBeforeAndAnExpiringOneUsesFlagBitOne()
    {
        // Earlier releases wrote this exact encoding (see VersionSetTests.TheStoredEncodingIsUnchanged).
        var plain = new StoredVersion("a", 2, VectorClock.FromEntries([new ClockEntry("b", 1, 5)]), 300, Encoding.UTF8.GetBytes("hi"));
        Assert.Equal([1, 1, 1, 97, 2, 172, 2, 6, 1, 1, 1, 98, 1, 5, 1, 2, 104, 105], VersionSetCodec.Encode([plain]));

        // node "a", counter 1, timestamp 5, empty past (2 bytes: 1 0), flags 3 (value, expiry), expiry 200 (varint 200 1), value "x".
        byte[] expiring = [1, 1, 1, 97, 1, 5, 2, 1, 0, 3, 200, 1, 1, 120];
        var version = Assert.Single(VersionSetCodec.Decode(expiring));
        Assert.Equal((200L, "x"), (version.ExpiresAtMs, Encoding.UTF8.GetString(version.Value!)));
        Assert.Equal(expiring, VersionSetCodec.Encode([version]));
    }

    [Theory]
    [InlineData(new byte[] { 1, 1, 1, 97, 1, 5, 2, 1, 0, 2, 0 }, "Invalid expiry 0")]
    [InlineData(new byte[] { 1, 1, 1, 97, 1, 5, 2, 1, 0, 3, 200 }, "")]                   // truncated expiry
    [InlineData(new byte[] { 1, 1, 1, 97, 1, 5, 2, 1, 0, 4, 1, 120 }, "Unknown version flags 4")]
    public void MalformedExpiriesAreRejected(byte[] bytes, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => VersionSetCodec.Decode(bytes)).Message);

    [Fact]
    public void AReclaimedVersionIsFlagBitOneAlone()
    {
        byte[] reclaimed = [1, 1, 1, 97, 1, 5, 2, 1, 0, 2, 200, 1];
        var version = Assert.Single(VersionSetCodec.Decode(reclaimed));
        Assert.True(version.IsReclaimed);
        Assert.Equal(reclaimed, VersionSetCodec.Encode([version]));
    }

    [Fact]
    public void AVersionIsLiveUntilItsExpiryInstantAndNeverAfter()
    {
        var version = Value("a", 1, "v", expiresAtMs: Now);
        Assert.True(version.IsLiveAt(Now - 1));
        Assert.False(version.IsLiveAt(Now));
        Assert.True(Value("a", 1, "v").IsLiveAt(long.MaxValue));
        Assert.False(Tombstone("a", 1, 1).IsLiveAt(0));
        Assert.Same(version, version.ReclaimedAt(Now - 1));
        Assert.Null(version.ReclaimedAt(Now).Value);
    }

    [Fact]
    public void AReadHidesExpiredVersionsButKeepsThemInItsContext()
    {
        var expired = Value("a", 1, "old", expiresAtMs: Now);
        var live = Value("b", 1, "new", expiresAtMs: Now + 5_000);
        var lasting = Value("c", 1, "lasting");
        var key = "k"u8.ToArray();

        var result = ReadCore.Result(key, [expired, live, lasting], Now);

        Assert.Equal(["new", "lasting"], result.Values.Select(v => Encoding.UTF8.GetString(v)));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(Now + 5_000), result.ExpirationOf(0));
        Assert.Null(result.ExpirationOf(1));
        var clock = result.Context.ClockFor(key);
        Assert.Equal(1UL, clock.CounterOf("a"));

        var allExpired = ReadCore.Result(key, [expired, live], Now + 5_000);
        Assert.False(allExpired.Found);
        Assert.False(allExpired.Context.IsEmpty);
    }

    [Fact]
    public void AReadOfValuesThatNeverExpireCarriesNoExpiries()
    {
        var result = ReadCore.Result("k"u8.ToArray(), [Value("a", 1, "one"), Value("b", 1, "two")], Now);

        Assert.Equal(2, result.Values.Count);
        Assert.Null(result.Expirations);
        Assert.Null(result.ExpirationOf(1));
    }

    [Fact]
    public void TwoCopiesOfOneValueReportTheLaterExpiry()
    {
        var (values, expirations) = ReadCore.LiveValues([Value("a", 1, "same", Now + 10), Value("a", 2, "same", Now + 20)], Now);
        Assert.Single(values);
        Assert.Equal(Now + 20, expirations[0]!.Value.ToUnixTimeMilliseconds());

        var (_, never) = ReadCore.LiveValues([Value("a", 1, "same", Now + 10), Value("a", 2, "same")], Now);
        Assert.Null(never[0]);
    }

    [Fact]
    public void AReclaimedCopyIsTheSameWriteAndMergesAway()
    {
        var full = Value("a", 1, "v", expiresAtMs: Now);
        var reclaimed = full.ReclaimedAt(Now);
        Assert.True(full.SameWrite(reclaimed));
        Assert.True(reclaimed.SameWrite(full));
        Assert.Single(VersionSet.Merge([full, reclaimed], out var conflict));
        Assert.False(conflict);
        Assert.True(VersionSet.SameSet([full], [reclaimed]));

        // The same dot with another expiry is another write (a dot conflict), never silently one of them.
        Assert.False(full.SameWrite(full with { ExpiresAtMs = Now + 1 }));
        Assert.Equal(2, VersionSet.Merge([full, full with { ExpiresAtMs = Now + 1 }], out conflict).Length);
        Assert.True(conflict);
    }

    [Fact]
    public void AnExpiredVersionHashesAsWhenItWasLiveWithOrWithoutItsValue()
    {
        var key = "k"u8.ToArray();
        var full = Value("a", 1, "v", expiresAtMs: Now);
        var digest = MerkleTree.Digest(key, [full]);
        Assert.Equal(digest, MerkleTree.Digest(key, [full.ReclaimedAt(Now)]));
        Assert.Equal(digest, MerkleTree.Digest(key, VersionSet.Reclaim([full], Now)));

        // The expiry is hashed (two writes of one dot with different expiries differ), and sets without expiry hash
        // as they did before expiry existed (17 bytes per version only when it expires).
        Assert.NotEqual(digest, MerkleTree.Digest(key, [full with { ExpiresAtMs = Now + 1 }]));
        Assert.NotEqual(digest, MerkleTree.Digest(key, [full with { ExpiresAtMs = 0 }]));
    }

    [Fact]
    public void ASetIsDeadWhenEveryVersionIsATombstoneOrExpiresWhateverTheTime()
    {
        Assert.Null(VersionSet.DeadSinceMs([]));
        Assert.Null(VersionSet.DeadSinceMs([Value("a", 1, "lasting"), Value("b", 1, "x", Now)]));
        Assert.Equal(Now + 7, VersionSet.DeadSinceMs([Value("a", 1, "x", Now + 7), Tombstone("b", 1, Now)]));
        Assert.Equal(Now, VersionSet.DeadSinceMs([Value("a", 1, "x", Now - 7), Tombstone("b", 1, Now)]));
        Assert.Equal(Now, VersionSet.DeadSinceMs([Value("a", 1, "x", Now).ReclaimedAt(Now)]));
    }

    [Fact]
    public void OnlyValuesExpireAndOnlyAtAPositiveInstant()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VersionSet.Create("a", 1, null, VectorClock.Empty, [], Now, 10, Now + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => VersionSet.Create("a", 1, [1], VectorClock.Empty, [], Now, 10, -1));
        Assert.Equal(Now + 1, VersionSet.Create("a", 1, [1], VectorClock.Empty, [], Now, 10, Now + 1).ExpiresAtMs);
    }

    [Fact]
    public void TimesToLiveOutsideTheLimitsAreRefused()
    {
        Assert.Throws<InvalidRequestException>(() => KeyLimits.CheckTimeToLive(TimeSpan.Zero));
        Assert.Throws<InvalidRequestException>(() => KeyLimits.CheckTimeToLive(TimeSpan.FromMilliseconds(-5)));
        Assert.Throws<InvalidRequestException>(() => KeyLimits.CheckTimeToLive(KeyLimits.MaxTimeToLive + TimeSpan.FromMilliseconds(1)));
        KeyLimits.CheckTimeToLive(TimeSpan.FromMilliseconds(1));
        KeyLimits.CheckTimeToLive(KeyLimits.MaxTimeToLive);
    }

    [Fact]
    public void TheInPlaceExpiryCheckAgreesWithTheDecodedSetAndRefusesWhatDecodeRefuses()
    {
        // Versions with and without values, with expiries before, at and after now, some reclaimed, some with pasts.
        var version = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Long[Now - 2, Now + 2], Gen.Bool).Select(x =>
        {
            var (node, kind, expiresAt, withPast) = x;
            var past = withPast ? VectorClock.Empty.Increment($"p{node}", 1) : null;
            var counter = (ulong)(node + 1);
            return kind switch
            {
                0 => new StoredVersion($"n{node}", counter, past ?? VectorClock.Empty, Now, null), // a tombstone
                1 => Value($"n{node}", counter, "lasting", past: past),
                2 => Value($"n{node}", counter, "expiring", expiresAtMs: expiresAt, past: past),
                _ => Value($"n{node}", counter, "expired", expiresAtMs: expiresAt, past: past).ReclaimedAt(expiresAt),
            };
        });
        Gen.Select(version.Array[1, 5], Gen.Long[Now - 3, Now + 3], Gen.Int[0, 1000]).Sample(x =>
        {
            var (versions, now, cut) = x;
            var bytes = VersionSetCodec.Encode(versions);
            Assert.Equal(versions.Any(v => v.Value is not null && v.IsExpiredAt(now)), VersionSetCodec.HasValueExpiredAt(bytes, now));

            // A damaged encoding (cut short, or with a byte more) is refused by both readers alike.
            var damaged = cut % 2 == 0 ? bytes[..(cut % bytes.Length)] : [.. bytes, 0];
            Assert.Throws<FormatException>(() => VersionSetCodec.Decode(damaged));
            Assert.Throws<FormatException>(() => VersionSetCodec.HasValueExpiredAt(damaged, now));
        });
    }

    [Theory]
    [InlineData("0102026E3304F40302010002C2843D026E")] // the second version's node id says 2 bytes, 1 is left
    public void ASetCutShortInsideALengthIsAFormatErrorNotAnyOther(string hex)
    {
        // Before the lengths were checked against the bytes left after them, these threw ArgumentOutOfRangeException,
        // which the compaction rewrite (it catches FormatException) would have let stop the engine.
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<FormatException>(() => VersionSetCodec.Decode(bytes));
        Assert.Throws<FormatException>(() => VersionSetCodec.HasValueExpiredAt(bytes, Now));
        Assert.Null(ExpiryCompaction.Reclaim(bytes, Now));
    }

    [Fact]
    public void TheCompactionRewriteDropsOnlyExpiredValuesAndLeavesOtherBytesAlone()
    {
        var set = VersionSetCodec.Encode([Value("a", 1, new string('x', 1000), Now), Value("b", 1, "lasting")]);
        Assert.Null(ExpiryCompaction.Reclaim(set, Now - 1));
        var rewritten = ExpiryCompaction.Reclaim(set, Now)!;
        Assert.True(rewritten.Length < set.Length - 1000);
        var decoded = VersionSetCodec.Decode(rewritten);
        Assert.True(decoded[0].IsReclaimed);
        Assert.Equal("lasting", Encoding.UTF8.GetString(decoded[1].Value!));
        Assert.Null(ExpiryCompaction.Reclaim("not a version set"u8, Now));
    }
}
