// Client failover: a read whose gateway failed it is retried (through another gateway), a write only when it
// provably never reached a coordinator, and GrainKV's own answers are never retried. Driven through a fake
// grain factory whose key-range grain fails the first calls as a dead gateway would.

using System.Reflection;
using GrainKV.Client;
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
    public async Task AWriteIsRetriedOnlyWhenItNeverReachedACoordinator()
    {
        var neverSent = new ScriptedRangeGrain(new ConnectionFailedException("no connection"), new GatewayTooBusyException());
        await ClientOver(neverSent).PutAsync("k", "v");
        Assert.Equal(3, neverSent.Calls);

        // A gateway that died with the write in flight may have passed it on: retrying could store it twice.
        var maybeSent = new ScriptedRangeGrain(new SiloUnavailableException("gateway died"));
        await Assert.ThrowsAsync<SiloUnavailableException>(() => ClientOver(maybeSent).PutAsync("k", "v"));
        Assert.Equal(1, maybeSent.Calls);
    }

    [Fact]
    public async Task GrainKvAnswersAndExhaustedAttemptsReachTheCaller()
    {
        var refused = new ScriptedRangeGrain(new NotEnoughReplicasException(2, 1, "one answered"));
        await Assert.ThrowsAsync<NotEnoughReplicasException>(() => ClientOver(refused).GetAsync("k"));
        Assert.Equal(1, refused.Calls);

        var dead = new ScriptedRangeGrain(new SiloUnavailableException("1"), new SiloUnavailableException("2"), new SiloUnavailableException("3"));
        await Assert.ThrowsAsync<SiloUnavailableException>(() => ClientOver(dead).GetAsync("k"));
        Assert.Equal(3, dead.Calls);
    }

    private static GrainKvClient ClientOver(ScriptedRangeGrain grain, Action<GrainKvClientOptions>? configure = null)
    {
        var options = new GrainKvClientOptions();
        configure?.Invoke(options);
        var factory = DispatchProxy.Create<IGrainFactory, FactoryProxy>();
        ((FactoryProxy)(object)factory).Grain = grain;
        return new GrainKvClient(factory, Options.Create(options));
    }

    /// <summary>A grain factory that hands out one key-range grain.</summary>
    public class FactoryProxy : DispatchProxy
    {
        public ScriptedRangeGrain? Grain { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) ? Grain : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>Fails (or hangs) its first calls as scripted, then answers.</summary>
    public sealed class ScriptedRangeGrain(params Exception[] failures) : IKeyRangeGrain
    {
        public static readonly Exception Hang = new("hang until cancelled");
        private readonly Queue<Exception> _failures = new(failures);

        public int Calls { get; private set; }

        public Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken) =>
            Next(cancellationToken, () => new ReadResult([System.Text.Encoding.UTF8.GetBytes("v")], CausalContext.Empty));

        public Task Put(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
            Next(cancellationToken, () => true);

        public Task Delete(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
            Next(cancellationToken, () => true);

        private async Task<T> Next<T>(CancellationToken cancellationToken, Func<T> answer)
        {
            Calls++;
            if (_failures.TryDequeue(out var failure))
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
