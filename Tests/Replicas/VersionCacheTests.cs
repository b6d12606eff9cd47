// The version cache: what it returns for a key is what an engine read without values returns for the stored set; a key
// whose slot another key took, a forgotten key and an entry too large for a slot are misses, and an entry too large
// for a slot takes no other key's slot. Keys sharing a set keep their slots up to its ways, and a new key replaces the
// one CLOCK finds unused since its hand last passed. On a node, every write leaves the cache agreeing with the engine,
// a write the engine refused leaves no entry, and a write whose merge keeps a stored version still gets its value.

using System.IO.Hashing;
using System.Text;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GrainKV.Tests.Replicas;

public sealed class VersionCacheTests
{
    private static readonly StoredVersion Lasting = new("node-a/1", 3, VectorClock.Empty.Increment("node-b/1", 2), 1000, [1, 2, 3]);
    private static readonly StoredVersion Tombstone = new("node-b/1", 4, VectorClock.Empty, 1001, null);
    private static readonly StoredVersion Expiring = new("node-c/1", 1, VectorClock.Empty, 1002, [4]) { ExpiresAtMs = 5000 };
    private static readonly StoredVersion Reclaimed = new StoredVersion("node-d/1", 1, VectorClock.Empty, 1003, [5]) { ExpiresAtMs = 2000 }.ReclaimedAt(3000);

    [Fact]
    public void ACachedSetReadsAsTheEngineEncodingReadsWithoutValues()
    {
        var cache = new VersionCache(new StripedLock(4), 16);
        var key = Key("k");
        StoredVersion[] set = [Lasting, Tombstone, Expiring, Reclaimed];

        Assert.False(cache.TryGet(Hash(key), key, out _));
        cache.Set(Hash(key), key, set);

        Assert.True(cache.TryGet(Hash(key), key, out var cached));
        Assert.Equal(Headers(VersionSetCodec.DecodeWithoutValues(VersionSetCodec.Encode(set))), Headers(cached));
        Assert.All(cached.Where(v => v.Value is not null), v => Assert.Same(VersionSetCodec.NoValue, v.Value));
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
    }

    [Fact]
    public void AnAbsentKeyIsCachedAsAbsent()
    {
        var cache = new VersionCache(new StripedLock(4), 16);
        var key = Key("deleted");
        cache.Set(Hash(key), key, []);

        Assert.True(cache.TryGet(Hash(key), key, out var cached));
        Assert.Empty(cached);
    }

    [Fact]
    public void AKeyWhoseSlotAnotherKeyTookIsAMiss()
    {
        var cache = new VersionCache(new StripedLock(1), 1); // one slot: every key shares it
        var (first, second) = (Key("first"), Key("second"));
        cache.Set(Hash(first), first, [Lasting]);
        cache.Set(Hash(second), second, [Tombstone]);

        Assert.False(cache.TryGet(Hash(first), first, out _));
        Assert.True(cache.TryGet(Hash(second), second, out var cached));
        Assert.Equal(Headers([Tombstone]), Headers(cached));
    }

    [Fact]
    public void KeysSharingASetAreAllHeldUpToItsWays()
    {
        var cache = new VersionCache(new StripedLock(1), VersionCache.Ways); // one set: every key shares it
        var keys = Enumerable.Range(0, VersionCache.Ways).Select(i => Key($"key-{i}")).ToArray();
        foreach (var key in keys)
        {
            cache.Set(Hash(key), key, [Lasting]);
        }

        // Writing a held key again keeps it in its slot: nothing is pushed out.
        cache.Set(Hash(keys[0]), keys[0], [Tombstone]);

        Assert.All(keys, key => Assert.True(cache.TryGet(Hash(key), key, out _)));
        Assert.True(cache.TryGet(Hash(keys[0]), keys[0], out var rewritten));
        Assert.Equal(Headers([Tombstone]), Headers(rewritten));
    }

    [Fact]
    public void ANewKeyReplacesAKeyNotUsedSinceTheHandLastPassed()
    {
        var cache = new VersionCache(new StripedLock(1), VersionCache.Ways);
        var keys = Enumerable.Range(0, VersionCache.Ways).Select(i => Key($"key-{i}")).ToArray();
        foreach (var key in keys)
        {
            cache.Set(Hash(key), key, [Lasting]);
        }

        // Every key but one is used again (read or written); the newcomer takes the unused one's slot, not the oldest.
        const int unused = 3;
        for (var i = 0; i < keys.Length; i++)
        {
            if (i == unused)
            {
                continue;
            }

            if (i % 2 == 0)
            {
                Assert.True(cache.TryGet(Hash(keys[i]), keys[i], out _));
            }
            else
            {
                cache.Set(Hash(keys[i]), keys[i], [Lasting]);
            }
        }

        var newcomer = Key("newcomer");
        cache.Set(Hash(newcomer), newcomer, [Expiring]);

        Assert.True(cache.TryGet(Hash(newcomer), newcomer, out _));
        Assert.False(cache.TryGet(Hash(keys[unused]), keys[unused], out _));
        Assert.All(keys.Where((_, i) => i != unused), key => Assert.True(cache.TryGet(Hash(key), key, out _)));

        // Every held key was just read, so the next newcomer's hand goes round once, taking every mark, and stops where it
        // started: the slot after the last victim's.
        var second = Key("second-newcomer");
        cache.Set(Hash(second), second, [Expiring]);
        Assert.True(cache.TryGet(Hash(second), second, out _));
        Assert.False(cache.TryGet(Hash(keys[unused + 1]), keys[unused + 1], out _));
        Assert.True(cache.TryGet(Hash(newcomer), newcomer, out _));
    }

    [Fact]
    public void ForgettingAKeyLeavesAnotherKeyInItsSlotAlone()
    {
        var cache = new VersionCache(new StripedLock(1), 1);
        var (kept, other) = (Key("kept"), Key("other"));
        cache.Set(Hash(kept), kept, [Lasting]);

        cache.Forget(Hash(other), other);
        Assert.True(cache.TryGet(Hash(kept), kept, out _));

        cache.Forget(Hash(kept), kept);
        Assert.False(cache.TryGet(Hash(kept), kept, out _));
    }

    [Fact]
    public void AnEntryTooLargeForASlotIsNotCachedAndEvictsNoOtherKey()
    {
        var cache = new VersionCache(new StripedLock(1), VersionCache.Ways); // one set: every key shares it
        var keys = Enumerable.Range(0, VersionCache.Ways).Select(i => Key($"key-{i}")).ToArray();
        foreach (var key in keys)
        {
            cache.Set(Hash(key), key, [Lasting]);
        }

        // A key too long for a slot, and a short key whose set (a long clock) does not fit: neither is cached, and the
        // full set keeps every key it held (no slot was given up for an entry that could not be stored).
        var longKey = Key(new string('k', VersionCache.SlotSize));
        cache.Set(Hash(longKey), longKey, [Lasting]);
        var shortKey = Key("short");
        cache.Set(Hash(shortKey), shortKey, [Lasting with { Past = LongClock() }]);

        Assert.False(cache.TryGet(Hash(longKey), longKey, out _));
        Assert.False(cache.TryGet(Hash(shortKey), shortKey, out _));
        Assert.All(keys, key => Assert.True(cache.TryGet(Hash(key), key, out _)));
    }

    [Fact]
    public void AHeldKeyWhoseNewSetIsTooLargeForItsSlotIsDropped()
    {
        var cache = new VersionCache(new StripedLock(1), VersionCache.Ways);
        var (key, other) = (Key("key"), Key("other"));
        cache.Set(Hash(key), key, [Lasting]);
        cache.Set(Hash(other), other, [Lasting]);

        // The entry held would now be stale: it goes, and the key reads as a miss (the engine is read instead).
        cache.Set(Hash(key), key, [Lasting with { Past = LongClock() }]);

        Assert.False(cache.TryGet(Hash(key), key, out _));
        Assert.True(cache.TryGet(Hash(other), other, out _));
    }

    [Fact]
    public void ACacheOfNoEntriesHoldsNothing()
    {
        var cache = new VersionCache(new StripedLock(1024), 0);
        var key = Key("k");
        cache.Set(Hash(key), key, [Lasting]);

        Assert.Equal(0, cache.Capacity);
        Assert.False(cache.TryGet(Hash(key), key, out _));
    }

    [Fact]
    public void TheCapacityIsAPowerOfTwoPerStripe()
    {
        Assert.Equal(1024 * 128, new VersionCache(new StripedLock(1024), 100_000).Capacity);
        Assert.Equal(1024, new VersionCache(new StripedLock(1024), 1).Capacity);
    }

    [Fact]
    public async Task OnANodeTheCacheAgreesWithTheEngineAfterEveryKindOfWrite()
    {
        await using var cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1));
        var silo = cluster.Cluster.Silos[0];
        var replicas = cluster.Service<LocalReplicas>(silo);
        var engine = cluster.Service<LocalStore>(silo).Engine;
        var key = Encoding.UTF8.GetBytes("cached-key");
        var engineKey = StorageKeys.Encode(0, key);

        void AssertCacheAgrees()
        {
            var stored = engine.TryRead(engineKey, VersionSetCodec.DecodeWithoutValues, out var versions) ? versions : [];
            Assert.True(replicas.Cache.TryGet(Hash(engineKey), engineKey, out var cached));
            Assert.Equal(Headers(stored), Headers(cached));
        }

        // An overwrite, a write with the context of a read, and one with an older context: two siblings.
        var first = await replicas.CoordinateAsync(0, key, [1], CausalContext.Empty, overwrite: true);
        AssertCacheAgrees();
        using var hitsCounted = new MetricCollector<long>(cluster.Service<GrainKvMetrics>(silo).Meter, "grainkv.replica.version_cache.hits");
        var hits = replicas.Cache.Hits;
        var context = CausalContext.For(key, VersionSet.Context(first));
        await replicas.CoordinateAsync(0, key, [2], context);
        Assert.Equal(hits + 1, replicas.Cache.Hits); // the write merged with the cached versions
        hitsCounted.RecordObservableInstruments();
        Assert.Equal(hits + 1, hitsCounted.LastMeasurement!.Value);
        AssertCacheAgrees();
        var siblings = await replicas.CoordinateAsync(0, key, [3], context);
        AssertCacheAgrees();

        // The older context kept the stored version: it was read with its value, not as the cache's header.
        Assert.Equal([[2], [3]], siblings.Select(v => v.Value!).OrderBy(v => v[0]));
        Assert.Equal([[2], [3]], (await replicas.ReadAsync(0, key)).Select(v => v.Value!).OrderBy(v => v[0]));

        // Another node's version merged in, delivered twice (the second time changes nothing), then a delete.
        var remote = VersionSet.Create("other-node/1", 1, [4], VersionSet.Context(siblings), siblings, 2000, 10);
        await replicas.MergeAsync(0, key, [remote]);
        AssertCacheAgrees();
        await replicas.MergeAsync(0, key, [remote]);
        AssertCacheAgrees();
        await replicas.CoordinateAsync(0, key, null, CausalContext.For(key, VersionSet.Context([remote])));
        AssertCacheAgrees();
        Assert.True(VersionSet.DeadSinceMs(await replicas.ReadAsync(0, key)) is not null);
    }

    [Fact]
    public async Task AWriteTheEngineRefusedLeavesNoEntry()
    {
        await using var cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1));
        var silo = cluster.Cluster.Silos[0];
        var replicas = cluster.Service<LocalReplicas>(silo);
        var key = Encoding.UTF8.GetBytes("refused-key");
        var engineKey = StorageKeys.Encode(0, key);
        await replicas.CoordinateAsync(0, key, [1], CausalContext.Empty, overwrite: true);
        Assert.True(replicas.Cache.TryGet(Hash(engineKey), engineKey, out _));

        // The engine closes under the node: the next write merges with the cached entry, then the engine refuses it.
        await cluster.Service<LocalStore>(silo).Engine.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await replicas.CoordinateAsync(0, key, [2], CausalContext.Empty, overwrite: true));

        // What the engine holds is not known, so the entry (the versions before the write) is gone.
        Assert.False(replicas.Cache.TryGet(Hash(engineKey), engineKey, out _));
    }

    private static byte[] Key(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A clock whose encoding alone is longer than a slot.</summary>
    private static VectorClock LongClock() =>
        Enumerable.Range(0, 20).Aggregate(VectorClock.Empty, (clock, i) => clock.Increment($"a-long-node-name-{i}/1", 1));

    private static ulong Hash(byte[] key) => XxHash3.HashToUInt64(key);

    /// <summary>What a version set holds apart from value bytes.</summary>
    internal static IEnumerable<(string, ulong, VectorClock, long, long, bool, bool)> Headers(IEnumerable<StoredVersion> versions) =>
        versions.Select(v => (v.Node, v.Counter, v.Past, v.TimestampMs, v.ExpiresAtMs, v.IsTombstone, v.IsReclaimed));
}
