// An overwrite whose first write is not confirmed by its copies reads the versions' headers and writes again: all of
// it within the request's one deadline (RequestTimeout from its start), as a single write is — not a fresh timeout
// for each round. Over fake replicas and a FakeTimeProvider.

using System.Text;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Metrics;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static GrainKV.Tests.Coordination.FixedRing;

namespace GrainKV.Tests.Coordination;

public sealed class OverwriteDeadlineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly StoredVersion Written = Version("y/1", 1, "written");

    // A key of FixedRing's range under the fixed ring's range count.
    private static readonly byte[] RangeKey = Enumerable.Range(0, 10_000)
        .Select(i => Encoding.UTF8.GetBytes($"key-{i}"))
        .First(k => KeyPartitioner.RangeOf(k, 16) == FixedRing.Range);

    private readonly FakeTimeProvider _time = new();
    private readonly GrainKvNodeOptions _options = new() { RangeCount = 16, ReadRepairChance = 0 };
    private readonly FakeReplicas _replicas = new(Top[0]) { AllowRepeats = true };

    private Task Overwrite()
    {
        var clock = new GrainKvClock(_time);
        var metrics = TestMeters.Create();
        var options = Options.Create(_options);
        var ring = new FixedRing(FixedRing.With());
        var requests = new KeyRangeRequests(
            options,
            new ReadCoordinator(options, ring, _replicas, _replicas, clock, new GrainKV.Grains.Expiry.ExpiryClock(_time), metrics, NullLogger<ReadCoordinator>.Instance),
            new WriteCoordinator(options, ring, _replicas, _replicas, clock),
            new RequestMetrics(metrics, clock),
            clock);
        return requests.OverwriteAsync(FixedRing.Range, RangeKey, "last"u8.ToArray(), ReadOptions.Default, WriteOptions.Default, CancellationToken.None);
    }

    /// <summary>N = 3, W = R = 2: this node creates the version and its copy to the next replica answers, after
    /// <paramref name="after"/>, that the replica held a version the creator lacked; the overwrite then reads.</summary>
    private async Task<Task> UnconfirmedFirstWriteAsync(TimeSpan after)
    {
        _replicas.HoldingMore.Add(Top[1]);
        var overwrite = Overwrite();
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetResult([Written]);
        var copy = await _replicas.CallAsync(ReplicaOp.Copy, Top[1]);
        _time.Advance(after);
        copy.Answer.SetResult([]);
        await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[0]);
        return overwrite;
    }

    [Fact]
    public async Task TheReadAfterAnUnconfirmedFirstWriteEndsAtTheRequestsDeadline()
    {
        var overwrite = await UnconfirmedFirstWriteAsync(_options.RequestTimeout * 0.4);

        // The header reads stay silent: the request's deadline is 0.6 of a timeout away, not a whole one.
        _time.Advance(_options.RequestTimeout * 0.6);
        await Assert.ThrowsAsync<NotEnoughReplicasException>(() => overwrite.WaitAsync(Bound));
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.Create));
    }

    [Fact]
    public async Task TheSecondWriteEndsAtTheRequestsDeadline()
    {
        var overwrite = await UnconfirmedFirstWriteAsync(_options.RequestTimeout * 0.3);
        _time.Advance(_options.RequestTimeout * 0.3);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[0])).Answer.SetResult([Written]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([Version("x/1", 1, "held")]);

        // The second write's creator is asked once more (the key's first replica) and stays silent: the request ends
        // 0.4 of a timeout later, when its one deadline passes.
        await _replicas.CallAsync(ReplicaOp.Create, Top[0], repeat: 1);
        _time.Advance(_options.RequestTimeout * 0.4);
        var error = await Assert.ThrowsAsync<RequestTimeoutException>(() => overwrite.WaitAsync(Bound));
        Assert.Contains(Top[0], error.Message, StringComparison.Ordinal);
    }
}
