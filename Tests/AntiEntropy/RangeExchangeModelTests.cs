// The exchange algorithm against a model, without a cluster: three in-memory replicas of one range get random
// subsets of random version histories (values, siblings, tombstones); after one exchange every replica holds, for
// every key, exactly the merge of what all of them held (CsCheck-style random cases from a seeded generator), the
// repair count is the number of (replica, key) pairs that differed from that merge, at most 2 version sets move
// per replica and divergent key (a read per distinct digest, a send per replica that differs), and a second
// exchange compares only roots.

using System.Text;
using GrainKV.AntiEntropy;
using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Hosting;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.AntiEntropy;

public sealed class RangeExchangeModelTests
{
    private const int Leaves = 64;

    [Fact]
    public async Task AnExchangeLeavesEveryReplicaWithTheMergeOfAll()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var replicas = Enumerable.Range(0, 3).Select(_ => new ModelReplica()).ToArray();
            var keys = Enumerable.Range(0, random.Next(1, 200)).Select(i => $"k{i}").ToArray();
            foreach (var key in keys)
            {
                var states = History(random, key);
                foreach (var replica in replicas)
                {
                    // Each replica received a random subset of the writes (possibly none); a write carries its
                    // creator's whole set (the product's rule 2).
                    foreach (var state in states.Where(_ => random.Next(3) == 0))
                    {
                        replica.Apply(key, state);
                    }
                }
            }

            var expected = keys.ToDictionary(k => k, k => VersionSet.Merge(replicas.SelectMany(r => r.Get(k))));
            var differing = replicas.Sum(r => keys.Count(k => !VersionSet.SameSet(r.Get(k), expected[k])));
            var divergentKeys = keys.Count(k => replicas.Any(r => !VersionSet.SameSet(r.Get(k), expected[k])));

            var snapshot = keys.ToDictionary(k => k, k => replicas.Select(r => r.Get(k)).ToArray());
            var tally = await Exchange().RunAsync(replicas, CancellationToken.None);
            foreach (var key in keys.Where(k => replicas.Any(r => !VersionSet.SameSet(r.Get(k), expected[k]))))
            {
                // Shows the key's sets before and after, to make a failing case readable.
                string Show(StoredVersion[] set) => string.Join(" ", set.Select(v => $"{v.Node}:{v.Counter}{(v.IsTombstone ? "T" : "")}<{v.Past}>"));
                throw new Xunit.Sdk.XunitException($"seed {seed} key {key}: before [{string.Join(" | ", snapshot[key].Select(Show))}] expected [{Show(expected[key])}] after [{string.Join(" | ", replicas.Select(r => Show(r.Get(key))))}]");
            }

            Assert.Equal(differing, tally.KeysRepaired);
            Assert.Equal(divergentKeys, tally.KeysDiffering);
            Assert.True(tally.VersionSetsMoved <= 2 * replicas.Length * divergentKeys, $"seed {seed}: {tally.VersionSetsMoved} sets for {divergentKeys} keys");
            var again = await Exchange().RunAsync(replicas, CancellationToken.None);
            Assert.Equal(3, again.HashesCompared);
            Assert.Equal(0, again.VersionSetsMoved);
        }
    }

    private static RangeExchange Exchange() =>
        new(0, Leaves, new ExchangeThrottle(Options.Create(new GrainKvNodeOptions()), new GrainKvClock(new FakeTimeProvider())));

    /// <summary>A few writes of a key, each as the creator's whole set after it: blind writes (siblings), writes with
    /// the context of an earlier state (overwrites), tombstones. Dots grow in creation order.</summary>
    private static List<StoredVersion[]> History(Random random, string key)
    {
        var states = new List<StoredVersion[]>();
        var count = random.Next(1, 6);
        for (var i = 1; i <= count; i++)
        {
            var actor = $"writer-{random.Next(3)}/1";
            var seen = states.Count == 0 || random.Next(3) == 0 ? [] : states[random.Next(states.Count)];
            var value = random.Next(4) == 0 ? null : Encoding.UTF8.GetBytes($"{key}-{i}");
            var created = new StoredVersion(actor, (ulong)(i * 10) + (ulong)random.Next(10), VersionSet.Context(seen), i, value);
            states.Add(VersionSet.Merge([.. states.Count == 0 ? [] : states[^1], .. seen, created]));
        }

        return states;
    }

    /// <summary>One replica: a dictionary of merged sets and the Merkle tree over them.</summary>
    private sealed class ModelReplica : IReplicaTreeService
    {
        private readonly Dictionary<string, StoredVersion[]> _sets = new(StringComparer.Ordinal);
        private readonly MerkleTree _tree = new(Leaves);

        public StoredVersion[] Get(string key) => _sets.GetValueOrDefault(key) ?? [];

        public void Apply(string key, StoredVersion[] incoming)
        {
            var before = Get(key);
            var merged = VersionSet.Merge([.. before, .. incoming]);
            if (merged.Length == 0 || VersionSet.SameSet(merged, before))
            {
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(key);
            _tree.Update(bytes, RangeTrees.DigestOf(bytes, before), RangeTrees.DigestOf(bytes, merged));
            _sets[key] = merged;
        }

        public Task<ulong[]> Hashes(int range, int[] nodes, CancellationToken cancellationToken) => Task.FromResult(_tree.Hashes(nodes));

        public Task<KeyDigest[]> LeafKeys(int range, int[] leaves, CancellationToken cancellationToken) => Task.FromResult(
            _sets.Where(e => leaves.Contains(_tree.LeafOf(Encoding.UTF8.GetBytes(e.Key))))
                .Select(e => new KeyDigest(Encoding.UTF8.GetBytes(e.Key), MerkleTree.Digest(Encoding.UTF8.GetBytes(e.Key), e.Value)))
                .ToArray());

        public Task<StoredVersion[][]> ReadMany(int range, byte[][] keys, CancellationToken cancellationToken) =>
            Task.FromResult(keys.Select(k => Get(Encoding.UTF8.GetString(k))).ToArray());

        public Task ApplyMany(int range, byte[][] keys, StoredVersion[][] sets, CancellationToken cancellationToken)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                Apply(Encoding.UTF8.GetString(keys[i]), sets[i]);
            }

            return Task.CompletedTask;
        }

        public Task<KeyDigest[]> PurgeCandidates(int range, long cutoffUnixMs, int max, CancellationToken cancellationToken) => Task.FromResult(Array.Empty<KeyDigest>());

        public Task<bool[]> Holds(int range, byte[][] keys, ulong[] digests, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> Purge(int range, byte[][] keys, ulong[] digests, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<NodeAntiEntropyStatus> GetStatus(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
