// Client failover: a request whose gateway failed it is retried (through another gateway), a read also when an
// attempt has no answer in time, and GrainKV's own answers are never retried. Driven through a fake grain factory
// whose key-range grain fails the first calls as a dead gateway would. A client with batching on sends the requests
// made while others are out in batches (reads apart from writes, a read counting the value it may bring back).

using System.Reflection;
using GrainKV.Client;
using GrainKV.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using GrainKV.Versioning;

namespace GrainKV.Tests.Client;

public sealed class GatewayFailoverTests
{
    [Fact]
    public async Task AReadFailedByItsGatewayIsRetried()
    {
        var grain = new ScriptedRangeGrain(new SiloUnavailableException("gateway died"), new ConnectionFailedException("connection lost"));
        var read = await ClientOver(grain).GetAsync("k");
        Assert.Equal("v", System.Text.Encoding.UTF8.GetString(Assert.Single(read.Values)));
        Assert.Equal(3, grain.Calls);
    }

    [Fact]
    public async Task AReadStuckAtADeadGatewayIsCutShortAndRetried()
    {
        var grain = new ScriptedRangeGrain(ScriptedRangeGrain.Hang);
        var client = ClientOver(grain, o => o.ReadAttemptTimeout = TimeSpan.FromMilliseconds(200));
        Assert.True((await client.GetAsync("k")).Found);
        Assert.Equal(2, grain.Calls);
    }

    [Fact]
    public async Task AWriteFailedByItsGatewayIsRetriedButNotCutShort()
    {
        var neverSent = new ScriptedRangeGrain(new ConnectionFailedException("no connection"), new GatewayTooBusyException());
        await ClientOver(neverSent).PutAsync("k", "v");
        Assert.Equal(3, neverSent.Calls);

        // A gateway that died with the write in flight may have passed it on; the retry can at most store an equal sibling.
        var maybeSent = new ScriptedRangeGrain(new SiloUnavailableException("gateway died"));
        await ClientOver(maybeSent).PutAsync("k", "v");
        Assert.Equal(2, maybeSent.Calls);

        // A write has no attempt timeout of its own: only the caller's token ends it.
        var slow = new ScriptedRangeGrain(ScriptedRangeGrain.Hang);
        using var caller = new CancellationTokenSource();
        var put = ClientOver(slow, o => o.ReadAttemptTimeout = TimeSpan.FromMilliseconds(1)).PutAsync("k", "v", cancellationToken: caller.Token);
        await Eventually.HoldsAsync(() => slow.Calls == 1, TimeSpan.FromSeconds(10), "the write was sent");
        Assert.False(put.IsCompleted);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put);
        Assert.Equal(1, slow.Calls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ARequestInFlightThroughALostGatewayIsCancelledAtOnceAndSentThroughAnother(bool batched)
    {
        var dying = new ScriptedRangeGrain(ScriptedRangeGrain.Hang);
        var alive = new ScriptedRangeGrain();
        var first = new Gateway("dying", FactoryOver(dying), host: null);
        var pool = new GatewayPool([first, new Gateway("alive", FactoryOver(alive), host: null)], TimeProvider.System, TimeSpan.FromMinutes(1));
        var options = new GrainKvClientOptions { RetryDelay = TimeSpan.Zero };

        var put = GatewayFailover.WriteAsync(
            pool,
            (gateway, token) => batched
                ? gateway.SendAsync(new KeyRangeRequest(KeyRangeRequestKind.Put, 0, [1], [2], CausalContext.Empty, Write: WriteOptions.Default), token)
                : gateway.Grains.KeyRanges.Put(0, [1], [2], CausalContext.Empty, WriteOptions.Default, token),
            options,
            CancellationToken.None);
        await Eventually.HoldsAsync(() => dying.Calls == 1, TimeSpan.FromSeconds(10), "the write reached the first gateway");
        Assert.False(put.IsCompleted);

        pool.OnConnectionLost(first);
        await put.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, alive.Calls);

        // The lost gateway is passed over while paused.
        Assert.NotSame(first, pool.Choose());
        Assert.NotSame(first, pool.Choose());
    }

    [Fact]
    public void AGatewayBackFromAPauseTakesOneRequestAtATimeUntilOneIsAnswered()
    {
        var returning = new Gateway("returning", FactoryOver(new ScriptedRangeGrain()), host: null);
        var steady = new Gateway("steady", FactoryOver(new ScriptedRangeGrain()), host: null);
        var pool = new GatewayPool([returning, steady], TimeProvider.System, TimeSpan.Zero);
        pool.Pause(returning);

        var chosen = Enumerable.Range(0, 6).Select(_ => pool.Choose()).ToList();
        Assert.Equal(1, chosen.Count(g => g == returning));   // the probe; the rest go elsewhere while it is out

        returning.Answered();
        chosen = Enumerable.Range(0, 6).Select(_ => pool.Choose()).ToList();
        Assert.Equal(3, chosen.Count(g => g == returning));
    }

    [Fact]
    public async Task WritesOfAKeyGoThroughOneGatewayWhileItIsUsableAndOtherRequestsRoundRobin()
    {
        var grains = Enumerable.Range(0, 3).Select(_ => new ScriptedRangeGrain()).ToArray();
        var gateways = grains.Select((g, i) => new Gateway($"g{i}", FactoryOver(g), host: null)).ToArray();
        var pool = new GatewayPool(gateways, TimeProvider.System, TimeSpan.FromMinutes(1));
        var options = new GrainKvClientOptions { RetryDelay = TimeSpan.Zero };
        Task Put(int range) => GatewayFailover.WriteAsync(
            pool, (gateway, token) => gateway.Grains.KeyRanges.Put(range, [1], [2], CausalContext.Empty, WriteOptions.Default, token), options, CancellationToken.None, range);

        for (var i = 0; i < 4; i++)
        {
            await Put(7);
        }

        Assert.Equal([0, 4, 0], grains.Select(g => g.Calls));   // range 7 → gateway 7 mod 3
        await Put(8);
        Assert.Equal(1, grains[2].Calls);
        Assert.Equal(3, Enumerable.Range(0, 3).Select(_ => pool.Choose()).Distinct().Count());

        // A paused gateway's writes go to the next one.
        pool.Pause(gateways[1]);
        await Put(7);
        Assert.Equal([0, 4, 2], grains.Select(g => g.Calls));
    }

    [Fact]
    public async Task GrainKvAnswersAndExhaustedAttemptsReachTheCaller()
    {
        var refused = new ScriptedRangeGrain(new NotEnoughReplicasException(2, 1, "one answered"));
        await Assert.ThrowsAsync<NotEnoughReplicasException>(() => ClientOver(refused).GetAsync("k"));
        Assert.Equal(1, refused.Calls);

        var dead = new ScriptedRangeGrain(new SiloUnavailableException("1"), new SiloUnavailableException("2"), new SiloUnavailableException("3"));
        await Assert.ThrowsAsync<SiloUnavailableException>(() => ClientOver(dead, o => o.Attempts = 3).GetAsync("k"));
        Assert.Equal(3, dead.Calls);
    }

    [Fact]
    public async Task RequestsMadeWhileBatchesAreOutLeaveTogetherAndReadsDoNotWaitForWrites()
    {
        var grain = new ScriptedRangeGrain { ReadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var client = ClientOver(grain, o => o.BatchRequests = true);
        var limit = Gateway.Limits.MaxInFlight;

        // While the gateway is idle each read leaves at once, as a call of its own, up to the calls allowed out; the next
        // ones queue.
        var first = Enumerable.Range(0, limit).Select(i => client.GetAsync($"k{i}")).ToList();
        await Eventually.HoldsAsync(() => grain.SingleCalls == limit, TimeSpan.FromSeconds(10), "the first reads left");
        var queued = Enumerable.Range(0, 5).Select(i => client.GetAsync($"q{i}")).ToList();

        // Writes have places of their own: a put is answered while every read waits.
        await client.PutAsync("w", "v").WaitAsync(TimeSpan.FromSeconds(10));
        await client.OverwriteAsync("w", "v2").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(first.Concat(queued), read => Assert.False(read.IsCompleted));
        Assert.Equal(limit + 2, grain.SingleCalls);

        grain.ReadGate.SetResult();
        Assert.All(await Task.WhenAll(first.Concat(queued)), read => Assert.Equal("v", System.Text.Encoding.UTF8.GetString(read.Value)));
        Assert.Equal([[.. Enumerable.Repeat(KeyRangeRequestKind.Get, 5)]], grain.Batches);
    }

    [Theory]
    [InlineData(KeyLimits.DefaultMaxEntrySize, 5)]   // 5 reads of 10 KiB fit a batch's 256 KiB
    [InlineData(4 * 1024 * 1024, 1)]                 // a read that may bring back 4 MiB goes alone
    public async Task ABatchOfReadsCountsTheValuesTheyMayBringBack(int maxEntrySize, int together)
    {
        var grain = new ScriptedRangeGrain { ReadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var client = ClientOver(grain, o => (o.MaxEntrySize, o.BatchRequests) = (maxEntrySize, true));
        var limit = Gateway.Limits.MaxInFlight;
        var first = Enumerable.Range(0, limit).Select(i => client.GetAsync($"k{i}")).ToList();
        await Eventually.HoldsAsync(() => grain.SingleCalls == limit, TimeSpan.FromSeconds(10), "the first reads left");
        var queued = Enumerable.Range(0, 5).Select(i => client.GetAsync($"q{i}")).ToList();

        grain.ReadGate.SetResult();
        await Task.WhenAll(first.Concat(queued));
        var queuedSent = grain.Batches.Select(b => b.Length).Concat(Enumerable.Repeat(1, grain.SingleCalls - limit)).ToList();
        Assert.Equal(5, queuedSent.Sum());
        Assert.Equal(together, queuedSent.Max());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutBatchingEachRequestIsACallOfItsOwnAndABatchingClientFailsOverAlike(bool batching)
    {
        var grain = new ScriptedRangeGrain(new SiloUnavailableException("gateway died"));
        var client = ClientOver(grain, o => o.BatchRequests = batching);
        Assert.True((await client.GetAsync("k")).Found);   // the first attempt failed, the second answered
        await client.PutAsync("k", "v");
        await client.OverwriteAsync("k", "v");
        await client.DeleteAsync("k", CausalContext.Empty);
        Assert.Equal(5, grain.SingleCalls);   // nothing else in flight: a batching client sends each on its own too
        Assert.Empty(grain.Batches);
    }

    private static GrainKvClient ClientOver(ScriptedRangeGrain grain, Action<GrainKvClientOptions>? configure = null)
    {
        var options = new GrainKvClientOptions { RetryDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        return new GrainKvClient(FactoryOver(grain), Options.Create(options));
    }

    private static IGrainFactory FactoryOver(ScriptedRangeGrain grain)
    {
        var factory = DispatchProxy.Create<IGrainFactory, FactoryProxy>();
        ((FactoryProxy)(object)factory).Grain = grain;
        return factory;
    }

    /// <summary>A grain factory that hands out one key-range grain.</summary>
    public class FactoryProxy : DispatchProxy
    {
        public ScriptedRangeGrain? Grain { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) ? Grain : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>Fails (or hangs) its first calls as scripted, then answers; a batch is one call, whose GrainKV errors are
    /// its requests' answers (as a silo answers them). With <see cref="ReadGate"/> set, reads wait for it.</summary>
    public sealed class ScriptedRangeGrain(params Exception[] failures) : IKeyRangeGrain
    {
        public static readonly Exception Hang = new("hang until cancelled");
        private readonly Queue<Exception> _failures = new(failures);
        private readonly List<KeyRangeRequestKind[]> _batches = [];
        private int _calls;
        private int _singleCalls;

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>The calls that were single requests, not batches.</summary>
        public int SingleCalls => Volatile.Read(ref _singleCalls);

        /// <summary>The kinds of the requests of each batch received, in order.</summary>
        public IReadOnlyList<KeyRangeRequestKind[]> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public TaskCompletionSource? ReadGate { get; set; }

        public async Task<ReadResult> Get(int range, byte[] key, ReadOptions options, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _singleCalls);
            if (ReadGate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            return await Next(cancellationToken, () => Value);
        }

        public Task Put(int range, byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
            Single(cancellationToken, () => true);

        public Task Overwrite(int range, byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken) =>
            Single(cancellationToken, () => true);

        public Task Delete(int range, byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
            Single(cancellationToken, () => true);

        public async Task<KeyRangeReply[]> Batch(KeyRangeRequest[] requests, CancellationToken cancellationToken)
        {
            lock (_batches)
            {
                _batches.Add([.. requests.Select(r => r.Kind)]);
            }

            if (requests[0].Kind == KeyRangeRequestKind.Get && ReadGate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            try
            {
                return await Next(cancellationToken, () => requests.Select(r => r.Kind == KeyRangeRequestKind.Get ? new KeyRangeReply(Value) : KeyRangeReply.Written).ToArray());
            }
            catch (GrainKvException ex)
            {
                return [.. requests.Select(_ => new KeyRangeReply(null, ex))];
            }
        }

        private static ReadResult Value => new([System.Text.Encoding.UTF8.GetBytes("v")], CausalContext.Empty);

        private Task<T> Single<T>(CancellationToken cancellationToken, Func<T> answer)
        {
            Interlocked.Increment(ref _singleCalls);
            return Next(cancellationToken, answer);
        }

        private async Task<T> Next<T>(CancellationToken cancellationToken, Func<T> answer)
        {
            Interlocked.Increment(ref _calls);
            Exception? failure;
            lock (_failures)
            {
                _failures.TryDequeue(out failure);
            }

            if (failure is not null)
            {
                if (ReferenceEquals(failure, Hang))
                {
                    await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
                }

                throw failure;
            }

            return answer();
        }
    }
}
