// Where requests are coordinated and how many replicas a read asks: a coordinator runs on the node that
// received the request and reads that node's replica first; a quorum read asks R replicas, not N; a
// write still reaches every replica. Reads are counted by each node's LocalReplicas.

using System.Text;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.Cluster;

public sealed class CoordinationTests(NoReadRepairClusterFixture fixture) : IClassFixture<NoReadRepairClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private GrainKvCluster Cluster => fixture.Cluster;

    private long[] Reads() => Cluster.Cluster.Silos.Select(s => Cluster.Service<LocalReplicas>(s).Reads).ToArray();

    [Fact]
    public async Task ACoordinatorRunsOnTheNodeThatReceivedTheRequestAndReadsItsReplicaFirst()
    {
        var key = Encoding.UTF8.GetBytes("read-where-received");
        var range = KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);
        await Cluster.Client.PutAsync(key, Encoding.UTF8.GetBytes("v"), null, new WriteOptions { WriteQuorum = Acks.All });

        for (var i = 0; i < Cluster.Cluster.Silos.Count; i++)
        {
            var silo = Cluster.Cluster.Silos[i];
            var before = Reads();
            var result = await EntryGrains.KeyRangeGrainOf(Cluster.Service<IGrainFactory>(silo))
                .Get(range, key, new ReadOptions { ReadQuorum = Acks.One }, CancellationToken.None);
            var after = Reads();

            Assert.Equal("v", Encoding.UTF8.GetString(Assert.Single(result.Values)));
            for (var j = 0; j < after.Length; j++)
            {
                Assert.Equal(before[j] + (j == i ? 1 : 0), after[j]);
            }
        }
    }

    [Fact]
    public async Task AQuorumReadAsksRReplicasAndAWriteReachesAllN()
    {
        var keys = Enumerable.Range(0, 40).Select(i => Encoding.UTF8.GetBytes($"fan-out-{i}")).ToArray();
        foreach (var key in keys)
        {
            await Cluster.Client.PutAsync(key, key);
        }

        // Every copy lands (the third in the background, so wait for it).
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var k in keys)
                {
                    foreach (var s in Cluster.Cluster.Silos)
                    {
                        if ((await Cluster.Service<LocalReplicas>(s).ReadAsync(KeyPartitioner.RangeOf(k, KeyPartitioner.DefaultRangeCount), k)).Length != 1)
                        {
                            return false;
                        }
                    }
                }

                return true;
            },
            Bound,
            "every replica holds every key");

        var before = Reads().Sum();
        foreach (var key in keys)
        {
            Assert.Equal(key, Assert.Single((await Cluster.Client.GetAsync(key)).Values));
        }

        Assert.Equal(keys.Length * 2, Reads().Sum() - before);
    }
}
