// Put, get and delete through the client library on an in-process cluster, and the size limits
// enforced by the silo even when a client does not enforce them; a batch of requests answers each in its place, and a
// client with batching on behaves alike.

using System.Text;
using GrainKV.Client;
using GrainKV.Grains.Hosting;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GrainKV.Tests.Cluster;

public sealed class SingleNodeTests(SingleNodeClusterFixture fixture) : IClassFixture<SingleNodeClusterFixture>
{
    private GrainKvCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task PutGetDeleteThroughTheClientLibrary()
    {
        var client = Cluster.Client;
        Assert.False((await client.GetAsync("fruit")).Found);

        await client.PutAsync("fruit", "apple");
        Assert.Equal("apple", Encoding.UTF8.GetString((await client.GetAsync("fruit")).Values.Single()));

        await client.PutAsync("fruit", "pear", (await client.GetAsync("fruit")).Context);
        Assert.Equal("pear", Encoding.UTF8.GetString((await client.GetAsync("fruit")).Values.Single()));

        await client.DeleteAsync("fruit");
        Assert.False((await client.GetAsync("fruit")).Found);
    }

    [Fact]
    public async Task AnOverwriteReplacesEverySiblingWithoutAContextAndAnotherOverwriteReplacesIt()
    {
        var client = Cluster.Client;
        await client.PutAsync("overwritten", "one");
        await client.PutAsync("overwritten", "two"); // no context: kept beside "one"
        Assert.Equal(2, (await client.GetAsync("overwritten")).Values.Count);

        await client.OverwriteAsync("overwritten", "three");
        Assert.Equal("three", Encoding.UTF8.GetString(Assert.Single((await client.GetAsync("overwritten")).Values)));

        await client.OverwriteAsync("overwritten", "four");
        Assert.Equal("four", Encoding.UTF8.GetString(Assert.Single((await client.GetAsync("overwritten")).Values)));
    }

    [Fact]
    public async Task AnOverwriteWithBadInputIsRefusedAndTheStoredValueStays()
    {
        var client = Cluster.Client;
        await client.PutAsync("kept-by-overwrite", "kept");

        await Assert.ThrowsAsync<InvalidKeyException>(() => client.OverwriteAsync([], [1]));
        await Assert.ThrowsAsync<ValueTooLargeException>(() => client.OverwriteAsync(Bytes("kept-by-overwrite"), new byte[KeyLimits.DefaultMaxEntrySize]));
        await Assert.ThrowsAsync<InvalidRequestException>(
            () => client.OverwriteAsync(Bytes("kept-by-overwrite"), Bytes("x"), write: new WriteOptions { TimeToLive = TimeSpan.Zero }));

        Assert.Equal("kept", Encoding.UTF8.GetString(Assert.Single((await client.GetAsync("kept-by-overwrite")).Values)));
    }

    [Fact]
    public async Task APingComesBackWithItsPayload()
    {
        var payload = Enumerable.Range(0, 1024).Select(i => (byte)i).ToArray();

        Assert.Equal(payload, await Cluster.Client.EchoAsync(payload));
        Assert.Empty(await Cluster.Client.EchoAsync([]));
    }

    [Fact]
    public async Task ManyKeysAcrossRangesRoundTrip()
    {
        var client = Cluster.Client;
        var keys = Enumerable.Range(0, 200).Select(i => $"key-{i}").ToArray();
        await Task.WhenAll(keys.Select(k => client.PutAsync(k, "v-" + k)));
        var ranges = keys.Select(k => KeyPartitioner.RangeOf(Encoding.UTF8.GetBytes(k), KeyPartitioner.DefaultRangeCount)).Distinct().Count();
        Assert.True(ranges > 50, $"200 keys fell in only {ranges} ranges");
        foreach (var key in keys)
        {
            Assert.Equal("v-" + key, Encoding.UTF8.GetString((await client.GetAsync(key)).Values.Single()));
        }
    }

    [Fact]
    public async Task ClientRejectsBadInputBeforeSending()
    {
        var client = Cluster.Client;
        await Assert.ThrowsAsync<InvalidKeyException>(() => client.PutAsync([], [1]));
        await Assert.ThrowsAsync<InvalidKeyException>(() => client.PutAsync(new byte[KeyLimits.MaxKeySize + 1], [1]));
        await Assert.ThrowsAsync<ValueTooLargeException>(() => client.PutAsync(Bytes("big"), new byte[KeyLimits.DefaultMaxEntrySize]));
        await Assert.ThrowsAsync<InvalidKeyException>(() => client.GetAsync(Array.Empty<byte>()));
        Assert.False((await client.GetAsync("big")).Found);
    }

    [Fact]
    public async Task SiloRejectsOversizedEntriesFromALaxClient()
    {
        var lax = Cluster.CreateClient(o => o.MaxEntrySize = 1024 * 1024);
        var key = Bytes("lax");
        await Cluster.Client.PutAsync(key, Bytes("kept"));

        var error = await Assert.ThrowsAsync<ValueTooLargeException>(() => lax.PutAsync(key, new byte[KeyLimits.DefaultMaxEntrySize]));
        Assert.Equal(KeyLimits.DefaultMaxEntrySize, error.Limit);
        Assert.Equal("kept", Encoding.UTF8.GetString((await lax.GetAsync(key)).Values.Single()));
    }

    [Fact]
    public async Task SiloRejectsInvalidKeysSentStraightToTheGrain()
    {
        var grain = EntryGrains.KeyRangeGrainOf(Cluster.Grains);
        await Assert.ThrowsAsync<InvalidKeyException>(() => grain.Put(0, [], [1], CausalContext.Empty, WriteOptions.Default));
        await Assert.ThrowsAsync<InvalidKeyException>(() => grain.Put(0, new byte[KeyLimits.MaxKeySize + 1], [1], CausalContext.Empty, WriteOptions.Default));
    }

    [Fact]
    public async Task KeySentToTheWrongRangeIsRefused()
    {
        var key = Bytes("misrouted");
        var owner = KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);
        var wrong = (owner + 1) % KeyPartitioner.DefaultRangeCount;
        await Assert.ThrowsAsync<WrongRangeException>(() => EntryGrains.KeyRangeGrainOf(Cluster.Grains).Put(wrong, key, Bytes("x"), CausalContext.Empty, WriteOptions.Default));
        Assert.False((await Cluster.Client.GetAsync(key)).Found);
    }

    [Fact]
    public async Task ABatchAnswersEachRequestInOrderAndFailsOnlyItsBadOnes()
    {
        using var batches = new MetricCollector<long>(Cluster.Service<GrainKvMetrics>(Cluster.Cluster.Silos[0]).Meter, "grainkv.client_batches");
        using var batched = new MetricCollector<long>(Cluster.Service<GrainKvMetrics>(Cluster.Cluster.Silos[0]).Meter, "grainkv.client_batches.requests");
        var grain = EntryGrains.KeyRangeGrainOf(Cluster.Grains);
        byte[] a = Bytes("batched-a"), b = Bytes("batched-b"), kept = Bytes("batched-kept");
        await Cluster.Client.PutAsync(kept, Bytes("kept"));
        var wrongRange = (RangeOf(b) + 1) % KeyPartitioner.DefaultRangeCount;

        var written = await grain.Batch(
        [
            new(KeyRangeRequestKind.Put, RangeOf(a), a, Bytes("a1"), CausalContext.Empty, Write: WriteOptions.Default),
            new(KeyRangeRequestKind.Put, wrongRange, b, Bytes("b1"), CausalContext.Empty, Write: WriteOptions.Default),
            new(KeyRangeRequestKind.Overwrite, RangeOf(kept), kept, new byte[KeyLimits.DefaultMaxEntrySize], Read: ReadOptions.Default, Write: WriteOptions.Default),
            new(KeyRangeRequestKind.Put, RangeOf(kept), kept, Context: CausalContext.Empty, Write: WriteOptions.Default),
            new(KeyRangeRequestKind.Get, RangeOf(kept), kept, Read: ReadOptions.Default),
        ]);

        Assert.Equal(5, written.Length);
        Assert.Equal(KeyRangeReply.Written, written[0]);
        Assert.IsType<WrongRangeException>(written[1].Error);
        Assert.IsType<ValueTooLargeException>(written[2].Error);
        Assert.IsType<InvalidRequestException>(written[3].Error);   // a put without a value
        Assert.Null(written[4].Error);
        Assert.Equal("kept", Encoding.UTF8.GetString(Assert.Single(written[4].Result!.Values)));

        var read = await grain.Batch(
        [
            new(KeyRangeRequestKind.Get, RangeOf(a), a, Read: ReadOptions.Default),
            new(KeyRangeRequestKind.Get, RangeOf(b), b, Read: ReadOptions.Default),
            new(KeyRangeRequestKind.Overwrite, RangeOf(kept), kept, Bytes("replaced"), Read: ReadOptions.Default, Write: WriteOptions.Default),
        ]);
        Assert.Equal("a1", Encoding.UTF8.GetString(Assert.Single(read[0].Result!.Values)));
        Assert.False(read[1].Result!.Found);
        Assert.Equal(KeyRangeReply.Written, read[2]);

        var deleted = await grain.Batch([new(KeyRangeRequestKind.Delete, RangeOf(a), a, Context: read[0].Result!.Context, Write: WriteOptions.Default)]);
        Assert.Equal(KeyRangeReply.Written, Assert.Single(deleted));
        Assert.False((await Cluster.Client.GetAsync(a)).Found);
        Assert.Equal("replaced", Encoding.UTF8.GetString(Assert.Single((await Cluster.Client.GetAsync(kept)).Values)));
        // The three batches sent here (the client's requests are calls of their own).
        Assert.Equal(3, batches.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(9, batched.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task AClientWithBatchingOnReadsAndWritesAsOneWithoutDoes()
    {
        var batching = Cluster.CreateClient(o => o.BatchRequests = true);
        await batching.PutAsync("batching", "one");
        await Cluster.Client.PutAsync("batching", "two");   // no context: a sibling
        Assert.Equal(2, (await batching.GetAsync("batching")).Values.Count);

        await batching.OverwriteAsync("batching", "three");
        Assert.Equal("three", Encoding.UTF8.GetString(Assert.Single((await Cluster.Client.GetAsync("batching")).Values)));
        await Assert.ThrowsAsync<ValueTooLargeException>(() => Cluster.CreateClient(o => (o.MaxEntrySize, o.BatchRequests) = (1024 * 1024, true))
            .PutAsync(Bytes("batching"), new byte[KeyLimits.DefaultMaxEntrySize]));

        // Many at once: most travel in batches, each answered in its own place.
        var keys = Enumerable.Range(0, 300).Select(i => $"batching-{i}").ToArray();
        await Task.WhenAll(keys.Select(k => batching.OverwriteAsync(k, "v-" + k)));
        var reads = await Task.WhenAll(keys.Select(k => batching.GetAsync(k)));
        Assert.Equal(keys.Select(k => "v-" + k), reads.Select(r => Encoding.UTF8.GetString(r.Value)));

        await batching.DeleteAsync("batching");
        Assert.False((await Cluster.Client.GetAsync("batching")).Found);
    }

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}

/// <summary>Restarts its silo, so it has a cluster of its own.</summary>
public sealed class SingleNodeRestartTests : IAsyncLifetime
{
    private GrainKvCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await GrainKvCluster.StartAsync(1, o => (o.ReplicationFactor, o.WriteQuorum, o.ReadQuorum) = (1, 1, 1));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task DataSurvivesASiloRestart()
    {
        await _cluster.Client.PutAsync("durable", "yes");
        var silo = _cluster.Cluster.Silos[0];
        await _cluster.Cluster.RestartSiloAsync(silo);
        await _cluster.Cluster.InitializeClientAsync();
        var client = new GrainKvClient(_cluster.Cluster.Client, Microsoft.Extensions.Options.Options.Create(new GrainKvClientOptions()));
        Assert.Equal("yes", Encoding.UTF8.GetString((await client.GetAsync("durable")).Values.Single()));
    }
}
