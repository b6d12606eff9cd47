// Anti-entropy on a three-node cluster, exchanges asked for by the tests (no reminders): a node whose data
// directory was wiped gets every key of every range back with no client read; a range with 1 % divergent keys is
// repaired moving at most 3 version sets per divergent key (counted by the product's metrics); identical replicas
// exchange only their roots; a tombstone wins over the older live version it deleted; and a range's tree, kept
// up to date incrementally through writes racing with its build, equals a tree built from the engine afterwards.
// Divergence is made by merging versions into chosen replicas directly (LocalReplicas), so it is exact.

using System.Text;
using GrainKV.AntiEntropy;
using GrainKV.Client;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Storage;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Xunit.Abstractions;

namespace GrainKV.Tests.AntiEntropy;

/// <summary>Three nodes, 64 ranges, no read repair, hints delivered only when asked.</summary>
public sealed class AntiEntropyClusterFixture : IAsyncLifetime
{
    public const int Ranges = 64;

    public GrainKvCluster Cluster { get; private set; } = null!;

    public GrainKvClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await GrainKvCluster.StartAsync(3, o =>
        {
            o.RangeCount = Ranges;
            o.Durability = LogDurability.Buffered;
            o.ReadRepairChance = 0;
            o.HintDeliveryInterval = TimeSpan.FromHours(1);
        });
        Client = Cluster.CreateClient(o => o.RangeCount = Ranges);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class AntiEntropyClusterTests(AntiEntropyClusterFixture fixture, ITestOutputHelper output) : IClassFixture<AntiEntropyClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const int Ranges = AntiEntropyClusterFixture.Ranges;

    private GrainKvCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task ANodeMissingKeysOfEveryRangeGetsThemBackWithoutReads()
    {
        // (A node restarted on an empty data directory streams its ranges back by itself, Streaming/; here c simply
        // never received the keys.)
        var (_, _, c) = Nodes();
        var keys = Enumerable.Range(0, 300).Select(i => Bytes($"wiped-{i}")).ToArray();
        var writer = Version("writer-wipe/1", 1, "v");
        await Task.WhenAll(keys.Select(k => OnNodes(k, [writer], Nodes().A, Nodes().B)));
        Assert.All(await Task.WhenAll(keys.Select(k => ReplicaOn(c, k))), Assert.Empty);

        long moved = 0, bytes = 0;
        var readsBefore = Reads();
        for (var range = 0; range < Ranges; range++)
        {
            var result = await Exchange(range);
            moved += result.VersionSetsMoved;
            bytes += result.BytesMoved;
            Assert.Null(result.Skipped);
            Assert.True(result.Complete);
        }

        Assert.Equal(readsBefore, Reads());
        output.WriteLine($"node missing keys: {keys.Length} keys, {moved} version sets and {bytes} bytes moved by {Ranges} exchanges");
        foreach (var key in keys)
        {
            var onC = await ReplicaOn(c, key);
            Assert.True(VersionSet.SameSet(await ReplicaOn(Nodes().A, key), onC), "c holds what a holds");
            Assert.Single(onC);
        }
    }

    [Fact]
    public async Task OnePercentDivergenceMovesAtMostThreeSetsPerDivergentKeyAndIdenticalReplicasOnlyRoots()
    {
        var (a, b, c) = Nodes();
        const int Range = 5;
        var keys = KeysInRange(Range, 1000, "divergent").ToArray();
        var v1 = keys.Select((k, i) => Version("writer-div/1", (ulong)i + 1, $"v1-{i}")).ToArray();
        await Task.WhenAll(keys.Select((k, i) => OnNodes(k, [v1[i]], a, b, c)));

        // Identical replicas: one round of roots, nothing else.
        using (var metrics = new Metrics(Cluster))
        {
            var identical = await Exchange(Range);
            Assert.Equal(3, identical.HashesCompared);
            Assert.Equal(0, identical.VersionSetsMoved);
            Assert.Equal(24, metrics.Sum("grainkv.antientropy.bytes_moved"));
            Assert.Equal(0, metrics.Sum("grainkv.antientropy.version_sets_moved"));
            Assert.Equal(1, metrics.Sum("grainkv.antientropy.exchanges"));
        }

        // 1 %: five keys whose newer version c missed, five new keys c lacks.
        var stale = keys.Take(5).Select((k, i) => (Key: k, Set: new[] { Version("writer-div/2", (ulong)i + 1, $"v2-{i}", ("writer-div/1", (ulong)i + 1)) })).ToArray();
        var missing = KeysInRange(Range, 5, "divergent-new").Select((k, i) => (Key: k, Set: new[] { Version("writer-div/3", (ulong)i + 1, $"new-{i}") })).ToArray();
        var divergent = stale.Concat(missing).ToArray();
        await Task.WhenAll(divergent.Select(d => OnNodes(d.Key, d.Set, a, b)));

        using (var metrics = new Metrics(Cluster))
        {
            var repair = await Exchange(Range);
            Assert.Equal(divergent.Length, metrics.Sum("grainkv.antientropy.keys_repaired"));
            Assert.InRange(metrics.Sum("grainkv.antientropy.version_sets_moved"), divergent.Length, 3 * divergent.Length);
            Assert.Equal(divergent.Length, repair.KeysDiffering);
            output.WriteLine($"1 % divergence: {repair.KeysDiffering} divergent keys, {repair.LeavesDiffering} leaves, {repair.HashesCompared} hashes, " +
                $"{repair.KeysRepaired} repaired, {repair.VersionSetsMoved} version sets and {repair.BytesMoved} bytes moved");
        }

        foreach (var (key, set) in divergent)
        {
            Assert.True(VersionSet.SameSet(set, await ReplicaOn(c, key)), "c holds the repaired set");
        }

        var after = await Exchange(Range);
        Assert.Equal(3, after.HashesCompared);
        Assert.Equal(0, after.KeysRepaired);
    }

    [Fact]
    public async Task ATombstoneIsCopiedAndTheDeletedValueDoesNotComeBack()
    {
        var (a, b, c) = Nodes();
        var key = Bytes("deleted-once");
        var range = RangeOf(key);
        var live = Version("writer-del/1", 1, "alive");
        var tombstone = new StoredVersion("writer-del/2", 1, VectorClock.FromEntries([new ClockEntry("writer-del/1", 1, 1)]), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null);
        await OnNodes(key, [live], a, b, c);
        await OnNodes(key, [tombstone], a, b);

        var first = await Exchange(range);
        Assert.Equal(1, first.KeysRepaired);
        foreach (var node in new[] { a, b, c })
        {
            Assert.True(Assert.Single(await ReplicaOn(node, key)).IsTombstone, $"{node} holds only the tombstone");
        }

        Assert.False((await fixture.Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Found);
        var again = await Exchange(range);
        Assert.Equal(0, again.KeysRepaired);
        Assert.False((await fixture.Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Found);
    }

    [Fact]
    public async Task AHintReplayedAfterADeleteDoesNotBringTheValueBack()
    {
        var (a, b, c) = Nodes();
        var key = Bytes("deleted-then-hint");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var live = new StoredVersion("writer-replay/1", 1, VectorClock.Empty, now, Bytes("alive"));
        var tombstone = new StoredVersion("writer-replay/2", 1, VectorClock.FromEntries([new ClockEntry("writer-replay/1", 1, 1)]), now, null);
        await OnNodes(key, [tombstone], a, b, c);

        // a kept the old value as a hint for c; it is delivered after the delete.
        var holder = Cluster.SiloNamed(a);
        await Cluster.Service<GrainKV.Grains.Handoff.HintStore>(holder).AddAsync(c, RangeOf(key), key, [live]);
        await Cluster.Service<GrainKV.Grains.Handoff.HintDelivery>(holder).DeliverAsync();
        await Exchange(RangeOf(key));

        foreach (var node in new[] { a, b, c })
        {
            Assert.True(Assert.Single(await ReplicaOn(node, key)).IsTombstone, $"{node} holds only the tombstone");
        }

        Assert.False((await fixture.Client.GetAsync(key, new ReadOptions { ReadQuorum = Acks.All })).Found);
    }

    [Fact]
    public async Task ANodeThatMissedADeleteAndCrashedGetsTheTombstoneNotTheOthersTheValue()
    {
        var (a, b, c) = Nodes();
        var key = Bytes("deleted-while-away");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var live = new StoredVersion("writer-away/1", 1, VectorClock.Empty, now, Bytes("alive"));
        var tombstone = new StoredVersion("writer-away/2", 1, VectorClock.FromEntries([new ClockEntry("writer-away/1", 1, 1)]), now, null);
        await OnNodes(key, [live], a, b, c);
        await OnNodes(key, [tombstone], a, b);
        await Cluster.Service<LocalStore>(Cluster.SiloNamed(c)).Engine.WaitForLogAsync(Cluster.Service<LocalStore>(Cluster.SiloNamed(c)).Engine.LogPosition);

        await Cluster.CrashAndRestartAsync(c);
        Assert.False(Assert.Single(await ReplicaOn(c, key)).IsTombstone);
        await Exchange(RangeOf(key));

        foreach (var node in new[] { a, b, c })
        {
            Assert.True(Assert.Single(await ReplicaOn(node, key)).IsTombstone, $"{node} holds only the tombstone");
        }
    }

    [Fact]
    public async Task ExchangesOfOneRangeAskedForTogetherAllComplete()
    {
        var range = RangeOf(Bytes("together"));
        using var metrics = new Metrics(Cluster);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Exchange(range)));
        Assert.All(results, r => Assert.Null(r.Skipped));
        Assert.Equal(4, metrics.Sum("grainkv.antientropy.exchanges"));
    }

    [Fact]
    public async Task SiblingsSurviveAnExchange()
    {
        var (a, b, c) = Nodes();
        var key = Bytes("siblings");
        var left = Version("writer-sib/1", 1, "left");
        var right = Version("writer-sib/2", 1, "right");
        await OnNodes(key, [left], a);
        await OnNodes(key, [right], c);

        await Exchange(RangeOf(key));

        foreach (var node in new[] { a, b, c })
        {
            Assert.Equal(["left", "right"], (await ReplicaOn(node, key)).Select(v => Text(v.Value!)).Order());
        }
    }

    [Fact]
    public async Task AnIncrementalTreeMatchesATreeBuiltFromTheEngine()
    {
        var (a, b, c) = Nodes();
        const int Range = 9;
        var keys = KeysInRange(Range, 400, "incremental").ToArray();
        await Task.WhenAll(keys.Take(200).Select((k, i) => OnNodes(k, [Version("writer-inc/1", (ulong)i + 1, "x")], a, b, c)));

        // Writes race with the first exchange, which builds the range's trees.
        var writes = Task.WhenAll(keys.Skip(100).Select((k, i) => OnNodes(k, [Version("writer-inc/2", (ulong)i + 1, "y")], a, b, c)));
        await Exchange(Range);
        await writes;

        foreach (var node in new[] { a, b, c })
        {
            var silo = Cluster.SiloNamed(node);
            var tracked = await Cluster.Service<LocalTrees>(silo).HashesAsync(Range, [1]);
            Assert.Equal(ScanBuiltRoot(silo, Range), tracked[0]);
        }
    }

    [Fact]
    public async Task ConfirmedTombstonesPastTheGracePeriodArePurgedFromDiskAndTheKeyStaysDeleted()
    {
        var (a, b, c) = Nodes();
        var old = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds();
        var expired = KeysInRange(13, 1, "purge-old").Single();
        var recent = KeysInRange(13, 1, "purge-recent").Single();
        var range = RangeOf(expired);
        var live = new StoredVersion("writer-purge/1", 1, VectorClock.Empty, old - 1000, Bytes("deleted"));
        var oldTombstone = new StoredVersion("writer-purge/2", 1, VectorClock.FromEntries([new ClockEntry("writer-purge/1", 1, 1)]), old, null);
        var recentTombstone = new StoredVersion("writer-purge/2", 2, VectorClock.Empty, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null);

        // c still holds the deleted value: the exchange repairs it first, then purges the tombstone everywhere.
        await OnNodes(expired, [live], c);
        await OnNodes(expired, [oldTombstone], a, b);
        await OnNodes(recent, [recentTombstone], a, b, c);
        using (var metrics = new Metrics(Cluster))
        {
            var exchange = await Exchange(range);
            output.WriteLine(exchange.ToString());
            Assert.Equal(3, exchange.TombstonesPurged);
            Assert.Equal(3, metrics.Sum("grainkv.antientropy.tombstones_purged"));
        }

        foreach (var node in new[] { a, b, c })
        {
            Assert.Empty(await ReplicaOn(node, expired));
            Assert.True(Assert.Single(await ReplicaOn(node, recent)).IsTombstone, "a tombstone within the grace period stays");
        }

        var again = await Exchange(range);
        Assert.Equal(0, again.KeysRepaired);
        Assert.False((await fixture.Client.GetAsync(expired, new ReadOptions { ReadQuorum = Acks.All })).Found);

        // Gone from disk once compaction rewrites the tables; the recent tombstone is still there.
        foreach (var node in new[] { a, b, c })
        {
            var silo = Cluster.SiloNamed(node);
            var store = Cluster.Service<LocalStore>(silo);

            // A full compaction rewrites the tables only when there are two or more.
            await store.Engine.FlushAsync();
            await OnNodes(Bytes($"purge-marker-{node}"), [Version("writer-marker/1", 1, "m")], node);
            await store.Engine.CompactAsync();
            var onDisk = EntriesOnDisk(store.EngineDirectory);
            Assert.DoesNotContain(onDisk, k => k.AsSpan().SequenceEqual(StorageKeys.Encode(range, expired)));
            Assert.Contains(onDisk, k => k.AsSpan().SequenceEqual(StorageKeys.Encode(range, recent)));
        }
    }

    [Fact]
    public async Task HintedVersionsOlderThanTheGracePeriodAreNotDelivered()
    {
        var (a, _, c) = Nodes();
        var key = Bytes("old-hint");
        var old = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds();
        var silo = Cluster.SiloNamed(a);
        using var metrics = new MetricCollector<long>(Cluster.Service<GrainKvMetrics>(silo).Meter, "grainkv.hints.versions_expired");
        await Cluster.Service<GrainKV.Grains.Handoff.HintStore>(silo).AddAsync(c, RangeOf(key), key, [new StoredVersion("writer-hint/1", 1, VectorClock.Empty, old, Bytes("stale"))]);

        await Cluster.Service<GrainKV.Grains.Handoff.HintDelivery>(silo).DeliverAsync();

        Assert.Empty(await ReplicaOn(c, key));
        Assert.Equal(1, metrics.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Empty(Cluster.Service<GrainKV.Grains.Handoff.HintStore>(silo).Read([c], RangeOf(key), key));
    }

    [Fact]
    public async Task TheStatusShowsKeysPerNodeAndTheLastExchangeOfARange()
    {
        const int Range = 21;
        var keys = KeysInRange(Range, 30, "status").ToArray();
        await Task.WhenAll(keys.Select((k, i) => OnNodes(k, [Version("writer-status/1", (ulong)i + 1, "s")], Nodes().A, Nodes().B)));
        var exchange = await Exchange(Range);

        var status = await fixture.Client.GetAntiEntropyStatusAsync();
        Assert.Equal(Ranges, status.RangeCount);
        Assert.Equal(3, status.Nodes.Count);
        Assert.All(status.Nodes, n => Assert.Null(n.Error));
        Assert.All(status.Nodes, n => Assert.True(n.Keys >= keys.Length, $"{n.NodeId} counts the range's keys"));
        var last = status.Nodes.SelectMany(n => n.Exchanges).Where(e => e.Range == Range).MaxBy(e => e.Last.Finished)!;
        Assert.Equal(exchange.Finished, last.Last.Finished);
        Assert.Equal(keys.Length, last.Last.KeysRepaired);
        Assert.True(last.BytesMoved >= exchange.BytesMoved);
    }

    private static List<byte[]> EntriesOnDisk(string engineDirectory)
    {
        var keys = new List<byte[]>();
        var cache = new GrainKV.Storage.Cache.BlockCache(1 << 20);
        foreach (var path in Directory.EnumerateFiles(engineDirectory, "*" + GrainKV.Storage.Table.TableFormat.FileExtension))
        {
            using var table = GrainKV.Storage.Table.TableReader.Open(path, long.Parse(Path.GetFileNameWithoutExtension(path)), cache);
            keys.AddRange(table.All().Select(e => e.Key));
        }

        return keys;
    }

    private ulong ScanBuiltRoot(Orleans.TestingHost.InProcessSiloHandle silo, int range)
    {
        var leaves = Cluster.Service<RangeTrees>(silo).Leaves;
        var tree = new MerkleTree(leaves);
        foreach (var (engineKey, value) in Cluster.Service<LocalStore>(silo).Engine.Scan(StorageKeys.RangeStart(range), StorageKeys.RangeEnd(range)))
        {
            var key = StorageKeys.UserKey(engineKey);
            tree.Update(key, null, MerkleTree.Digest(key, VersionSetCodec.Decode(value)));
        }

        return tree.Root;
    }

    /// <summary>Key reads replicas served to coordinators (client reads and read repair), per silo.</summary>
    private long[] Reads() => Cluster.Cluster.Silos.Select(s => Cluster.Service<LocalReplicas>(s).Reads).ToArray();

    private Task<ExchangeResult> Exchange(int range) => Cluster.Grains.GetGrain<IAntiEntropyGrain>(range).ExchangeNow();

    private Task OnNodes(byte[] key, StoredVersion[] set, params string[] nodes) => Cluster.ApplyOnNodesAsync(RangeOf(key), key, set, nodes);

    private Task<StoredVersion[]> ReplicaOn(string node, byte[] key) => Cluster.ReplicaOnAsync(node, RangeOf(key), key);

    private (string A, string B, string C) Nodes()
    {
        var names = Cluster.Cluster.Silos.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        return (names[0], names[1], names[2]);
    }

    private static StoredVersion Version(string actor, ulong counter, string value, params (string Actor, ulong Counter)[] past) =>
        new(actor, counter, VectorClock.FromEntries(past.Select(p => new ClockEntry(p.Actor, p.Counter, 1))), 1, Bytes(value));

    private static IEnumerable<byte[]> KeysInRange(int range, int count, string prefix) =>
        Enumerable.Range(0, int.MaxValue).Select(i => Bytes($"{prefix}-{i}")).Where(k => RangeOf(k) == range).Take(count);

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, Ranges);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);

    /// <summary>Anti-entropy counters summed over every silo's meter (an exchange runs on whichever silo its grain is on).</summary>
    private sealed class Metrics : IDisposable
    {
        private static readonly string[] Names =
        [
            "grainkv.antientropy.bytes_moved", "grainkv.antientropy.version_sets_moved", "grainkv.antientropy.keys_repaired",
            "grainkv.antientropy.exchanges", "grainkv.antientropy.tombstones_purged",
        ];

        private readonly List<(string Name, MetricCollector<long> Collector)> _collectors = [];

        public Metrics(GrainKvCluster cluster)
        {
            foreach (var silo in cluster.Cluster.Silos)
            {
                var meter = cluster.Service<GrainKvMetrics>(silo).Meter;
                foreach (var name in Names)
                {
                    _collectors.Add((name, new MetricCollector<long>(meter, name)));
                }
            }
        }

        public long Sum(string instrument) =>
            _collectors.Where(c => c.Name == instrument).Sum(c => c.Collector.GetMeasurementSnapshot().Sum(m => m.Value));

        public void Dispose()
        {
            foreach (var (_, collector) in _collectors)
            {
                collector.Dispose();
            }
        }
    }
}
