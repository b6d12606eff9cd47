// Quorum rounds: the answer comes at the quorum, a round that starts with some candidates asks the next
// one when a call fails and all of them when the speculation delay passes, and a round that can no
// longer succeed fails at once; a silent quorum fails at the timeout. Time is a FakeTimeProvider.

using System.Collections.Concurrent;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using GrainKV.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.Coordination;

public sealed class QuorumWaitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Speculation = TimeSpan.FromMilliseconds(50);
    private static readonly string[] Nodes = ["a", "b", "c"];

    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<int>> _calls = new();

    private static RingView Ring(params string[] down) => new(
        Nodes.ToDictionary(n => n, n => new NodeView(n, "", null, !down.Contains(n))),
        new RingOptions { RangeCount = 16, VirtualNodes = 8 },
        3);

    private Task<int> Call(string node)
    {
        var call = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(_calls.TryAdd(node, call), $"{node} was asked twice");
        return call.Task;
    }

    private Task<List<ReplicaAnswer<int>>> Round(RingView ring, QuorumPlan plan, List<Task<ReplicaAnswer<int>>> started) =>
        QuorumWait.WaitAsync(ring, Nodes, Call, plan, Timeout, _time, CancellationToken.None, started);

    [Fact]
    public async Task AnswersAtTheQuorumWithoutAskingMoreThanTheInitialCandidates()
    {
        var started = new List<Task<ReplicaAnswer<int>>>();
        var round = Round(Ring(), new QuorumPlan(2, 2, Speculation), started);
        Assert.Equal(["a", "b"], _calls.Keys.Order());

        _calls["b"].SetResult(2);
        _calls["a"].SetResult(1);
        var answers = await round;

        Assert.Equal(["a", "b"], answers.Select(a => a.NodeId).Order());
        Assert.Equal(2, started.Count);
        Assert.DoesNotContain("c", _calls.Keys);
    }

    [Fact]
    public async Task AFailedCallAsksTheNextCandidate()
    {
        var started = new List<Task<ReplicaAnswer<int>>>();
        var round = Round(Ring(), new QuorumPlan(2, 2, Speculation), started);
        _calls["a"].SetException(new InvalidOperationException("a failed"));
        await Eventually.HoldsAsync(() => _calls.ContainsKey("c"), TimeSpan.FromSeconds(10), "c was asked");

        _calls["b"].SetResult(2);
        _calls["c"].SetResult(3);
        var answers = await round;

        Assert.Equal(["b", "c"], answers.Select(a => a.NodeId).Order());
        Assert.Equal(3, started.Count);
    }

    [Fact]
    public async Task ADownCandidateIsSkippedWithoutACall()
    {
        var started = new List<Task<ReplicaAnswer<int>>>();
        var round = Round(Ring(down: "a"), new QuorumPlan(2, 2, Speculation), started);
        Assert.Equal(["b", "c"], _calls.Keys.Order());

        _calls["b"].SetResult(2);
        _calls["c"].SetResult(3);
        Assert.Equal(2, (await round).Count);
    }

    [Fact]
    public async Task ASlowQuorumAsksTheRemainingCandidatesAfterTheSpeculationDelay()
    {
        var started = new List<Task<ReplicaAnswer<int>>>();
        var round = Round(Ring(), new QuorumPlan(2, 2, Speculation), started);
        _calls["a"].SetResult(1);
        await Eventually.HoldsAsync(() => started[0].IsCompleted, TimeSpan.FromSeconds(10), "a answered");
        Assert.DoesNotContain("c", _calls.Keys);

        _time.Advance(Speculation);
        await Eventually.HoldsAsync(() => _calls.ContainsKey("c"), TimeSpan.FromSeconds(10), "c was asked after the delay");
        _calls["c"].SetResult(3);
        var answers = await round;

        Assert.Equal(["a", "c"], answers.Select(a => a.NodeId).Order());
        Assert.False(_calls["b"].Task.IsCompleted);
    }

    [Fact]
    public async Task ARoundThatCanNoLongerSucceedFailsAtOnce()
    {
        var started = new List<Task<ReplicaAnswer<int>>>();
        var round = Round(Ring(), new QuorumPlan(2, 3), started);
        _calls["a"].SetException(new InvalidOperationException("a failed"));
        _calls["b"].SetException(new InvalidOperationException("b failed"));

        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => round);
        Assert.Equal(2, error.Required);
        Assert.Equal(0, error.Answered);
        Assert.Contains("a failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("b failed", error.Message, StringComparison.Ordinal);
        Assert.False(_calls["c"].Task.IsCompleted);
    }

    [Fact]
    public async Task ASilentQuorumFailsAtTheTimeout()
    {
        var started = new List<Task<ReplicaAnswer<int>>>();
        var round = Round(Ring(), new QuorumPlan(2, 3), started);
        _calls["a"].SetResult(1);
        await Eventually.HoldsAsync(() => started[0].IsCompleted, TimeSpan.FromSeconds(10), "a answered");
        Assert.False(round.IsCompleted);

        _time.Advance(Timeout);
        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => round);
        Assert.Equal(1, error.Answered);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }
    [Fact]
    public async Task AfterTheSpeculationDelayTheTimeoutStillCountsFromTheRoundsStart()
    {
        var started = new List<Task<ReplicaAnswer<int>>>();
        var round = Round(Ring(), new QuorumPlan(2, 2, Speculation), started);
        _calls["a"].SetResult(1);
        await Eventually.HoldsAsync(() => started[0].IsCompleted, TimeSpan.FromSeconds(10), "a answered");

        _time.Advance(Speculation);
        await Eventually.HoldsAsync(() => _calls.ContainsKey("c"), TimeSpan.FromSeconds(10), "c was asked after the delay");
        _time.Advance(Timeout - Speculation - TimeSpan.FromMilliseconds(1));
        await Task.Yield();
        Assert.False(round.IsCompleted, "the round failed before its timeout");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => round.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, error.Answered);
        Assert.Contains("timed out after 5000 ms", error.Message, StringComparison.Ordinal);
    }
}
