// The node's instruments read with MetricCollector on a one-node in-process cluster: requests by operation
// and outcome with their latency, bad input and quorum failures counted, replica copies, and the engine's
// observable instruments (memtable, flushes, cache, bloom filter, write amplification).

using System.Text;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Metrics;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Cluster;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GrainKV.Tests.Metrics;

public sealed class RequestMetricsTests(SingleNodeClusterFixture fixture) : IClassFixture<SingleNodeClusterFixture>
{
    private GrainKvCluster Cluster => fixture.Cluster;

    private GrainKvMetrics Metrics => Cluster.Service<GrainKvMetrics>(Cluster.Cluster.Silos[0]);

    private static long Sum(MetricCollector<long> collector, string operation, string outcome) =>
        collector.GetMeasurementSnapshot()
            .Where(m => (string?)m.Tags["operation"] == operation && (string?)m.Tags["outcome"] == outcome)
            .Sum(m => m.Value);

    [Fact]
    public async Task RequestsAreCountedByOperationAndOutcomeWithTheirLatency()
    {
        using var requests = new MetricCollector<long>(Metrics.Meter, "grainkv.requests");
        using var durations = new MetricCollector<double>(Metrics.Meter, "grainkv.request.duration");
        var client = Cluster.Client;

        await client.PutAsync("metrics-a", "1");
        await client.PutAsync("metrics-b", "2");
        await client.GetAsync("metrics-a");
        await client.GetAsync("metrics-missing");
        await client.DeleteAsync("metrics-b");

        Assert.Equal(2, Sum(requests, "put", "ok"));
        Assert.Equal(2, Sum(requests, "get", "ok")); // the delete without a context reads the key first
        Assert.Equal(1, Sum(requests, "get", "not_found"));
        Assert.Equal(1, Sum(requests, "delete", "ok"));
        var latencies = durations.GetMeasurementSnapshot();
        Assert.Equal(6, latencies.Count);
        Assert.All(latencies, m => Assert.InRange(m.Value, 0, 60));
        Assert.Contains(latencies, m => m.Value > 0);

        var totals = Cluster.Service<RequestMetrics>(Cluster.Cluster.Silos[0]).Totals(RequestOperation.Put);
        Assert.True(totals.Count >= 2);
        Assert.Equal(totals.Count, totals.Buckets.Sum());
        Assert.True(totals.LatencySeconds > 0);
    }

    [Fact]
    public async Task BadInputAndQuorumFailuresAreCounted()
    {
        using var requests = new MetricCollector<long>(Metrics.Meter, "grainkv.requests");
        using var quorum = new MetricCollector<long>(Metrics.Meter, "grainkv.quorum.failures");
        var key = Encoding.UTF8.GetBytes("metrics-big");
        var grain = EntryGrains.KeyRangeGrainOf(Cluster.Grains);
        var range = KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);

        // Past the client's checks, straight to the coordinator: a value over the entry limit.
        await Assert.ThrowsAsync<ValueTooLargeException>(() => grain.Put(range, key, new byte[20_000], CausalContext.Empty, WriteOptions.Default, default));

        // Three replicas asked of a one-node ring.
        await Assert.ThrowsAsync<NotEnoughReplicasException>(() =>
            Cluster.Client.PutAsync("metrics-quorum", "x", options: new WriteOptions { Replicas = 3, WriteQuorum = Acks.All }));

        Assert.Equal(1, Sum(requests, "put", "rejected"));
        Assert.Equal(1, Sum(requests, "put", "not_enough_replicas"));
        var failure = Assert.Single(quorum.GetMeasurementSnapshot());
        Assert.Equal("put", failure.Tags["operation"]);
        Assert.Equal("not_enough_replicas", failure.Tags["reason"]);
    }

    [Fact]
    public async Task EngineFiguresAreObservableInstruments()
    {
        var meter = Metrics.Meter;
        using var memtable = new MetricCollector<long>(meter, "grainkv.engine.memtable.size");
        using var flushes = new MetricCollector<long>(meter, "grainkv.engine.flushes");
        using var written = new MetricCollector<long>(meter, "grainkv.engine.bytes_written");
        using var amplification = new MetricCollector<double>(meter, "grainkv.engine.write_amplification");
        using var hits = new MetricCollector<long>(meter, "grainkv.engine.cache.hits");
        using var misses = new MetricCollector<long>(meter, "grainkv.engine.cache.misses");
        using var bloom = new MetricCollector<long>(meter, "grainkv.engine.bloom.negatives");
        using var tables = new MetricCollector<long>(meter, "grainkv.engine.tables.size");
        using var commits = new MetricCollector<long>(meter, "grainkv.engine.log.commits");
        using var commitWaits = new MetricCollector<long>(meter, "grainkv.engine.log.commit_waits");

        for (var i = 0; i < 20; i++)
        {
            await Cluster.Client.PutAsync($"engine-{i}", new string('v', 500));
        }

        memtable.RecordObservableInstruments();
        Assert.True(memtable.LastMeasurement!.Value > 10_000, $"memtable holds {memtable.LastMeasurement.Value} bytes after 10 KB of writes");

        await Cluster.Service<LocalStore>(Cluster.Cluster.Silos[0]).Engine.FlushAsync();
        for (var i = 0; i < 20; i++)
        {
            await Cluster.Client.GetAsync($"engine-{i}");
            await Cluster.Client.GetAsync($"engine-absent-{i}");
        }

        foreach (var collector in new[] { flushes, written, hits, misses, bloom, tables, commits, commitWaits })
        {
            collector.RecordObservableInstruments();
        }

        amplification.RecordObservableInstruments();
        Assert.True(flushes.LastMeasurement!.Value >= 1);
        Assert.True(tables.LastMeasurement!.Value > 0);
        var bytes = written.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["kind"]!, m => m.Value);
        Assert.True(bytes["user"] > 10_000);
        Assert.True(bytes["flush"] > 0);
        Assert.True(amplification.LastMeasurement!.Value > 1, $"write amplification {amplification.LastMeasurement.Value} after a flush");
        Assert.True(hits.LastMeasurement!.Value + misses.LastMeasurement!.Value > 0, "reads of flushed keys touch table blocks");
        Assert.True(bloom.LastMeasurement!.Value > 0, "absent keys are answered by bloom filters");
        Assert.True(commits.LastMeasurement!.Value >= 1, "synced writes commit the log");
        Assert.True(commitWaits.LastMeasurement!.Value >= 1, "a synced write waits for the commit that covers it");
    }
}
