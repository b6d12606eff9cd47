// Expiry on a three-node cluster (N = 3, R = W = 2) whose expiry clock is a fake the tests move: an expired key reads
// as absent through the client at every R, while its context still supersedes it; read repair, hinted handoff and
// anti-entropy copy expired versions like any other without ever showing them; compacting one node (which drops
// expired values) leaves the replicas' trees equal; and anti-entropy purges an expiring set a grace period after it
// expired, on every replica.

using System.Text;
using GrainKV.AntiEntropy;
using GrainKV.Client;
using GrainKV.Grains.Expiry;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Storage;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.Expiry;

/// <summary>Three nodes, 64 ranges, no random read repair, hints delivered only when asked, one fake expiry clock.</summary>
public sealed class ExpiryClusterFixture : IAsyncLifetime
{
    public const int Ranges = 64;

    /// <summary>The expiry clock of every silo (starts at the real now, so versions' timestamps and expiries agree).</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public GrainKvCluster Cluster { get; private set; } = null!;

    public GrainKvClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await GrainKvCluster.StartAsync(
            3,
            o =>
            {
                o.RangeCount = Ranges;
                o.Durability = LogDurability.Buffered;
                o.ReadRepairChance = 0;
                o.HintDeliveryInterval = TimeSpan.FromHours(1);
            },
            (_, silo) => silo.Services.AddSingleton(new ExpiryClock(Clock)));
        Client = Cluster.CreateClient(o => o.RangeCount = Ranges);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class ExpiryClusterTests(ExpiryClusterFixture fixture) : IClassFixture<ExpiryClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly ReadOptions[] EveryR =
        [new() { ReadQuorum = Acks.One }, new() { ReadQuorum = Acks.Quorum }, new() { ReadQuorum = Acks.All }];

    private GrainKvCluster Cluster => fixture.Cluster;

    private GrainKvClient Client => fixture.Client;

    [Fact]
    public async Task AnExpiredKeyReadsAsAbsentAtEveryQuorumAndItsContextSupersedesIt()
    {
        var key = Bytes("client-ttl");
        var written = fixture.Clock.GetUtcNow();
        await Client.PutAsync(key, Bytes("short-lived"), TimeSpan.FromSeconds(30), options: new WriteOptions { WriteQuorum = Acks.All });
        foreach (var r in EveryR)
        {
            var read = await Client.GetAsync(key, r);
            Assert.Equal("short-lived", Text(read.Value));
            Assert.Equal(written.AddSeconds(30).ToUnixTimeMilliseconds(), read.ExpirationOf(0)!.Value.ToUnixTimeMilliseconds());
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.True((await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Found, "still live a second before its expiry");
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        ReadResult expired = ReadResult.NotFound;
        foreach (var r in EveryR)
        {
            expired = await Client.GetAsync(key, r);
            Assert.False(expired.Found, $"absent at R = {r.ReadQuorum}");
            Assert.False(expired.Context.IsEmpty, "the expired version is still named by the context");
        }

        // A write without expiry, with the context of the read that saw nothing, replaces the expired version everywhere.
        await Client.PutAsync(key, Bytes("lasting"), expired.Context, new WriteOptions { WriteQuorum = Acks.All });
        foreach (var node in Nodes())
        {
            var version = Assert.Single(await ReplicaOn(node, key));
            Assert.False(version.Expires);
        }

        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var later = await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All });
        Assert.Equal("lasting", Text(later.Value));
        Assert.Null(later.ExpirationOf(0));
    }

    [Fact]
    public async Task BadTimesToLiveAreRefusedByTheClientAndByTheCoordinatorWithNothingStored()
    {
        var key = Bytes("bad-ttl");
        await Assert.ThrowsAsync<InvalidRequestException>(() => Client.PutAsync(key, Bytes("v"), TimeSpan.Zero));
        await Assert.ThrowsAsync<InvalidRequestException>(() => Client.PutAsync(key, Bytes("v"), options: new WriteOptions { TimeToLive = TimeSpan.FromDays(40_000) }));
        await Assert.ThrowsAsync<InvalidRequestException>(() => Client.DeleteAsync(key, options: new WriteOptions { TimeToLive = TimeSpan.FromSeconds(1) }));

        // A caller that skips the client's checks meets the coordinator's.
        var grain = EntryGrains.KeyRangeGrainOf(Cluster.Grains);
        await Assert.ThrowsAsync<InvalidRequestException>(() => grain.Put(RangeOf(key), key, Bytes("v"), CausalContext.Empty, new WriteOptions { TimeToLive = TimeSpan.FromMilliseconds(-1) }));
        await Assert.ThrowsAsync<InvalidRequestException>(() => grain.Delete(RangeOf(key), key, CausalContext.Empty, new WriteOptions { TimeToLive = TimeSpan.FromSeconds(1) }));
        foreach (var node in Nodes())
        {
            Assert.Empty(await ReplicaOn(node, key));
        }
    }

    [Fact]
    public async Task AnExpiredSiblingIsHiddenAndTheLiveOneIsRead()
    {
        var key = Bytes("ttl-sibling");
        await Client.PutAsync(key, Bytes("expiring"), TimeSpan.FromSeconds(5), options: new WriteOptions { WriteQuorum = Acks.All });
        await Client.PutAsync(key, Bytes("lasting"), options: new WriteOptions { WriteQuorum = Acks.All });
        Assert.Equal(2, (await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Values.Count);

        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        var read = await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All });
        Assert.Equal("lasting", Text(read.Value));
        Assert.Equal(2, (await ReplicaOn(Nodes()[0], key)).Length);
    }

    [Fact]
    public async Task ReadRepairCopiesAnExpiredVersionWithoutShowingIt()
    {
        var (a, b, c) = (Nodes()[0], Nodes()[1], Nodes()[2]);
        var key = Bytes("repair-expired");
        var expiring = Expiring("writer-repair/1", 1, "gone-soon", fixture.Clock.GetUtcNow().AddSeconds(10));
        await OnNodes(key, [expiring], a, b);
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.False((await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Found);
        await Eventually.HoldsAsync(async () => (await ReplicaOn(c, key)).Length == 1, Bound, "read repair reaches the node that missed the write");
        var repaired = Assert.Single(await ReplicaOn(c, key));
        Assert.True(repaired.SameWrite(expiring));
        Assert.True(repaired.IsReclaimed, "a replica stores an expired version without its value");
        Assert.False((await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.One })).Found);
    }

    [Fact]
    public async Task AHintDeliveredAfterItsValueExpiredDoesNotShowIt()
    {
        var (a, _, c) = (Nodes()[0], Nodes()[1], Nodes()[2]);
        var key = Bytes("hint-expired");
        var expiring = Expiring("writer-hint/1", 1, "hinted", fixture.Clock.GetUtcNow().AddMinutes(1));
        var silo = Cluster.SiloNamed(a);
        await Cluster.Service<HintStore>(silo).AddAsync(c, RangeOf(key), key, [expiring]);
        Assert.Equal("hinted", Text(Assert.Single(Cluster.Service<HintStore>(silo).Read([c], RangeOf(key), key)).Value!));

        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await Cluster.Service<HintDelivery>(silo).DeliverAsync();

        Assert.True(Assert.Single(await ReplicaOn(c, key)).IsReclaimed);
        Assert.Empty(Cluster.Service<HintStore>(silo).Read([c], RangeOf(key), key));
        Assert.False((await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Found);
    }

    [Fact]
    public async Task AntiEntropyCopiesExpiredVersionsOnceAndCompactingOneNodeLeavesTheTreesEqual()
    {
        var (a, b, c) = (Nodes()[0], Nodes()[1], Nodes()[2]);
        const int Range = 7;
        var keys = KeysInRange(Range, 20, "ae-expiry").ToArray();
        var expiresAt = fixture.Clock.GetUtcNow().AddSeconds(20);
        for (var i = 0; i < keys.Length; i++)
        {
            // Every key on a and b, half of them on c too.
            var set = new[] { Expiring("writer-ae/1", (ulong)i + 1, new string('v', 500), expiresAt) };
            await OnNodes(keys[i], set, i % 2 == 0 ? [a, b, c] : [a, b]);
        }

        var first = await Exchange(Range);
        Assert.Equal(keys.Length / 2, first.KeysRepaired);

        // Time passes: the versions expire. Their trees do not change, so nothing is exchanged.
        fixture.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, (await Exchange(Range)).KeysRepaired);

        // Compaction on a only drops the expired values there; the sets and the trees stay equal to b's and c's.
        await Cluster.Service<LocalStore>(Cluster.SiloNamed(a)).Engine.CompactAsync();
        Assert.All(keys, k => Assert.True(ReplicaOnDisk(a, k).All(v => v.IsReclaimed)));
        Assert.Contains(await ReplicaOn(b, keys[0]), v => v.Value is not null);
        var again = await Exchange(Range);
        Assert.Equal(0, again.KeysRepaired);
        Assert.Equal(0, again.LeavesDiffering);
        foreach (var key in keys)
        {
            Assert.False((await Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Found);
        }
    }

    [Fact]
    public async Task AnExpiringSetIsPurgedAGracePeriodAfterItExpiredAndTheKeyStaysAbsent()
    {
        var (a, b, c) = (Nodes()[0], Nodes()[1], Nodes()[2]);
        const int Range = 11;
        var now = fixture.Clock.GetUtcNow();
        var longAgo = KeysInRange(Range, 1, "purge-expired").Single();
        var recently = KeysInRange(Range, 1, "purge-just-expired").Single();
        await OnNodes(longAgo, [Expiring("writer-purge/1", 1, "old", now.AddDays(-2))], a, b, c);
        await OnNodes(recently, [Expiring("writer-purge/1", 2, "new", now.AddSeconds(-1))], a, b, c);

        var exchange = await Exchange(Range);

        Assert.True(exchange.TombstonesPurged >= 3, $"purged {exchange.TombstonesPurged}");
        foreach (var node in new[] { a, b, c })
        {
            Assert.Empty(await ReplicaOn(node, longAgo));
            Assert.Single(await ReplicaOn(node, recently));
        }

        Assert.False((await Client.GetAsync(longAgo, new ReadOptions { ReadQuorum = Acks.All })).Found);
    }

    // Created a minute ago by the nodes' own clock (not the expiry clock): older than ReadRepairMinAge, so a read repairs
    // a replica that lacks it (no write is still copying it there).
    private static StoredVersion Expiring(string actor, ulong counter, string value, DateTimeOffset expiresAt) =>
        new(actor, counter, VectorClock.Empty, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), Bytes(value)) { ExpiresAtMs = expiresAt.ToUnixTimeMilliseconds() };

    private Task<ExchangeResult> Exchange(int range) => Cluster.Grains.GetGrain<IAntiEntropyGrain>(range).ExchangeNow();

    private Task OnNodes(byte[] key, StoredVersion[] set, params string[] nodes) => Cluster.ApplyOnNodesAsync(RangeOf(key), key, set, nodes);

    private Task<StoredVersion[]> ReplicaOn(string node, byte[] key) => Cluster.ReplicaOnAsync(node, RangeOf(key), key);

    private StoredVersion[] ReplicaOnDisk(string node, byte[] key) =>
        Cluster.Service<LocalStore>(Cluster.SiloNamed(node)).Engine.TryGet(StorageKeys.Encode(RangeOf(key), key), out var bytes)
            ? VersionSetCodec.Decode(bytes)
            : [];

    private string[] Nodes() => Cluster.Cluster.Silos.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();

    private static IEnumerable<byte[]> KeysInRange(int range, int count, string prefix) =>
        Enumerable.Range(0, int.MaxValue).Select(i => Bytes($"{prefix}-{i}")).Where(k => RangeOf(k) == range).Take(count);

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, ExpiryClusterFixture.Ranges);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
