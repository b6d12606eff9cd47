// The write coordinator alone, over fake replicas and a FakeTimeProvider: who creates the version, the next live node
// after a creator that fails, one deadline (a silent creator ends the write, no second creator is asked; a deadline
// given that has passed asks no creator at all), cancellation, the creator's whole set copied to the other replicas,
// sloppy standbys taking the copy of a replica that is down or fails as a hint, strict mode failing before any
// version is created, and a write to one replica, done when its creator answers (but still copied to a node taking
// over its range).

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static GrainKV.Tests.Coordination.FixedRing;

namespace GrainKV.Tests.Coordination;

public sealed class WriteCoordinatorTests
{
    private static readonly WriteOptions All = new() { WriteQuorum = Acks.All };
    private static readonly WriteOptions Strict = new() { Mode = CapMode.Strict };
    private static readonly StoredVersion Earlier = Version("x/1", 1, "earlier");
    private static readonly StoredVersion Written = Version("y/1", 1, "written");

    private readonly FakeTimeProvider _time = new();
    private readonly GrainKvNodeOptions _options = new();
    private readonly FakeReplicas _replicas = new(Top[0]);
    private readonly CancellationTokenSource _cancel = new();

    private Task Write(WriteOptions? request = null, params string[] down) =>
        new WriteCoordinator(Options.Create(_options), new FixedRing(FixedRing.With(down)), _replicas, _replicas, new GrainKvClock(_time))
            .WriteAsync(FixedRing.Range, Key, "written"u8.ToArray(), CausalContext.Empty, request ?? WriteOptions.Default, _cancel.Token);

    [Fact]
    public async Task ThisNodeCreatesTheVersionAndItsWholeSetGoesToTheOtherReplicas()
    {
        var write = Write();
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.Create));
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetResult([Earlier, Written]);

        var copies = new[] { await _replicas.CallAsync(ReplicaOp.Copy, Top[1]), await _replicas.CallAsync(ReplicaOp.Copy, Top[2]) };
        Assert.All(copies, copy => Assert.Equal([Earlier, Written], copy.Sent));
        copies[1].Answer.SetResult([]);

        await write;
        Assert.Empty(_replicas.HintsKept);
        Assert.Empty(_replicas.Asked(ReplicaOp.HandOff));
    }

    [Fact]
    public async Task TheTimeToLiveGoesToEveryNodeAskedToCreateTheVersion()
    {
        _replicas.LocalNode = "elsewhere";
        var write = Write(new WriteOptions { TimeToLive = TimeSpan.FromSeconds(30) });
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetException(new ReplicaUnavailableException(Top[0], "failed"));
        (await _replicas.CallAsync(ReplicaOp.Create, Top[1])).Answer.SetResult([Written]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Top[2])).Answer.SetResult([]);

        await write;
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)], _replicas.TimesToLive);
    }

    [Fact]
    public async Task WithoutALocalReplicaTheFirstLivePreferenceNodeCreates()
    {
        _replicas.LocalNode = "elsewhere";
        var write = Write(null, Top[0]);
        Assert.Equal([Top[1]], _replicas.Asked(ReplicaOp.Create));
        (await _replicas.CallAsync(ReplicaOp.Create, Top[1])).Answer.SetResult([Written]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Top[2])).Answer.SetResult([]);

        await write;
    }

    [Fact]
    public async Task ACreatorThatFailsPassesTheWriteToTheNextLiveNode()
    {
        var write = Write();
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetException(new InvalidOperationException("disk full"));
        (await _replicas.CallAsync(ReplicaOp.Create, Top[1])).Answer.SetResult([Written]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Top[2])).Answer.SetResult([]);

        await write;
        Assert.Equal([Top[0], Top[1]], _replicas.Asked(ReplicaOp.Create));
        Assert.Contains(Top[0], _replicas.Asked(ReplicaOp.Copy));
    }

    [Fact]
    public async Task ASilentCreatorEndsTheWriteAtTheDeadlineAndNoSecondCreatorIsAsked()
    {
        var write = Write();
        _time.Advance(_options.RequestTimeout);

        var error = await Assert.ThrowsAsync<RequestTimeoutException>(() => write);
        Assert.Contains(Top[0], error.Message, StringComparison.Ordinal);
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.Create));
        Assert.Empty(_replicas.Asked(ReplicaOp.Copy));
    }

    [Fact]
    public async Task AWriteGivenADeadlineThatHasPassedAsksNoNodeToCreateAVersion()
    {
        var deadline = new RequestDeadline(_time, _options.RequestTimeout);
        _time.Advance(_options.RequestTimeout);
        var write = new WriteCoordinator(Options.Create(_options), new FixedRing(FixedRing.With()), _replicas, _replicas, new GrainKvClock(_time))
            .WriteAsync(FixedRing.Range, Key, "written"u8.ToArray(), CausalContext.Empty, WriteOptions.Default, _cancel.Token, deadline: deadline);

        await Assert.ThrowsAsync<RequestTimeoutException>(() => write);
        Assert.Empty(_replicas.Asked(ReplicaOp.Create));
    }

    [Fact]
    public async Task CopiesShortOfTheQuorumFailTheWriteAtTheSameDeadline()
    {
        var write = Write();
        _time.Advance(_options.RequestTimeout / 2);
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetResult([Written]);
        await _replicas.CallAsync(ReplicaOp.Copy, Top[1]);
        await _replicas.CallAsync(ReplicaOp.Copy, Top[2]);

        _time.Advance(_options.RequestTimeout / 2);
        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => write);
        Assert.Equal(2, error.Required);
        Assert.Equal(1, error.Answered);
    }

    [Fact]
    public async Task ACancelledWriteStopsAndNoSecondCreatorIsAsked()
    {
        var write = Write();
        await _cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.Create));
    }

    [Fact]
    public async Task ASloppyStandbyTakesTheCopyOfADownReplicaAsAHint()
    {
        var write = Write(All, Top[2]);
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetResult([Written]);
        var handOff = await _replicas.CallAsync(ReplicaOp.HandOff, Standbys[0]);
        Assert.Equal([Top[2]], handOff.Owners);
        Assert.Equal([Written], handOff.Sent);
        handOff.Answer.SetResult([]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Top[1])).Answer.SetResult([]);

        await write;
        Assert.DoesNotContain(Top[2], _replicas.Asked(ReplicaOp.Copy));
        Assert.Empty(_replicas.HintsKept);
    }

    [Fact]
    public async Task ASloppyStandbyTakesTheCopyOfAReplicaThatFails()
    {
        var write = Write(All);
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetResult([Written]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Top[1])).Answer.SetResult([]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Top[2])).Answer.SetException(new ReplicaUnavailableException(Top[2], "failed"));

        var handOff = await _replicas.CallAsync(ReplicaOp.HandOff, Standbys[0]);
        Assert.Equal([Top[2]], handOff.Owners);
        handOff.Answer.SetResult([]);

        await write;
        Assert.Equal([Top[2]], _replicas.HintsKept);
    }

    [Fact]
    public async Task StrictModeFailsAtOnceBeforeAnyVersionIsCreated()
    {
        var write = Write(Strict, Top[1], Top[2]);

        Assert.True(write.IsCompleted);
        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => write);
        Assert.Equal(2, error.Required);
        Assert.Equal(1, error.Answered);
        Assert.Empty(_replicas.Asked(ReplicaOp.Create));
    }

    [Fact]
    public async Task StrictModeKeepsTheCopyOfADownReplicaAsAHintHere()
    {
        var write = Write(Strict, Top[2]);
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetResult([Written]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Top[1])).Answer.SetResult([]);

        await write;
        Assert.Equal([Top[2]], _replicas.HintsKept);
        Assert.Empty(_replicas.Asked(ReplicaOp.HandOff));
    }

    [Fact]
    public async Task AWriteToOneReplicaIsDoneWhenItsCreatorAnswers()
    {
        var write = Write(new WriteOptions { Replicas = 1 });
        (await _replicas.CallAsync(ReplicaOp.Create, Top[0])).Answer.SetResult([Written]);

        await write;
        Assert.Empty(_replicas.Asked(ReplicaOp.Copy));
        Assert.Empty(_replicas.Asked(ReplicaOp.HandOff));
        Assert.Empty(_replicas.HintsKept);
    }

    [Fact]
    public async Task AWriteToOneReplicaStillWaitsForItsCopyToANodeTakingOverTheRange()
    {
        // One node on the ring and one joining: a range the joining node will own has it as its pending replica.
        var options = new RingOptions { RangeCount = 16, VirtualNodes = 8 };
        var view = new RingView(
            new Dictionary<string, NodeView> { ["n0"] = new("n0", "", null, true) }, options, 1,
            new Dictionary<string, NodeView> { ["n1"] = new("n1", "", null, true) });
        var range = Enumerable.Range(0, options.RangeCount).First(r => view.PendingReplicas(r, 1).Count > 0);
        _replicas.LocalNode = "n0";

        var write = new WriteCoordinator(Options.Create(_options), new FixedRing(view), _replicas, _replicas, new GrainKvClock(_time))
            .WriteAsync(range, Key, "written"u8.ToArray(), CausalContext.Empty, new WriteOptions { Replicas = 1 }, _cancel.Token);
        (await _replicas.CallAsync(ReplicaOp.Create, "n0")).Answer.SetResult([Written]);
        var copy = await _replicas.CallAsync(ReplicaOp.Copy, "n1");
        Assert.False(write.IsCompleted);

        copy.Answer.SetResult([]);
        await write;
        Assert.Equal([Written], copy.Sent);
    }
}
