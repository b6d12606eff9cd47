// Quorums under node loss: with one of three nodes stopped W=2/R=2 still succeed; with two stopped they
// fail with NotEnoughReplicasException. And a five-node cluster keeps exactly N copies of each key.

using System.Text;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.Cluster;

public sealed class FailureTests
{
    [Fact]
    public async Task QuorumsSurviveOneLostNodeOfThreeAndFailClearlyWithTwo()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3);
        var client = cluster.Client;
        for (var i = 0; i < 10; i++)
        {
            await client.PutAsync($"before-{i}", "x", options: new WriteOptions { WriteQuorum = Acks.All });
        }

        // A stopped node keeps its place on the ring, not live.
        await cluster.Cluster.StopSiloAsync(cluster.Cluster.Silos[2]);
        await cluster.WaitForRingAsync(3, 2);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("x", Encoding.UTF8.GetString((await client.GetAsync($"before-{i}")).Value));
            await client.PutAsync($"after-{i}", "y");
            Assert.Equal("y", Encoding.UTF8.GetString((await client.GetAsync($"after-{i}")).Value));
        }

        await cluster.Cluster.StopSiloAsync(cluster.Cluster.Silos[1]);
        await cluster.WaitForRingAsync(3, 1);
        var write = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => client.PutAsync("lonely", "z"));
        Assert.Equal(2, write.Required);
        var read = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => client.GetAsync("before-1"));
        Assert.Equal(2, read.Required);
        Assert.True(read.Answered < 2);
    }

    [Fact]
    public async Task FiveNodesKeepExactlyThreeCopiesOfEachKey()
    {
        await using var cluster = await GrainKvCluster.StartAsync(5);
        var client = cluster.Client;
        var keys = Enumerable.Range(0, 30).Select(i => $"five-{i}").ToArray();
        foreach (var key in keys)
        {
            await client.PutAsync(key, key, options: new WriteOptions { WriteQuorum = Acks.All });
        }

        var copies = new Dictionary<string, int>();
        foreach (var key in keys)
        {
            Assert.Equal(key, Encoding.UTF8.GetString((await client.GetAsync(key)).Value));
            var bytes = Encoding.UTF8.GetBytes(key);
            var engineKey = StorageKeys.Encode(KeyPartitioner.RangeOf(bytes, KeyPartitioner.DefaultRangeCount), bytes);
            var holders = cluster.Cluster.Silos.Where(s => cluster.Service<LocalStore>(s).Engine.TryGet(engineKey, out _)).ToList();
            Assert.Equal(3, holders.Count);
            foreach (var silo in holders)
            {
                copies[silo.Name] = copies.GetValueOrDefault(silo.Name) + 1;
            }
        }

        Assert.Equal(5, copies.Count);
    }
}
