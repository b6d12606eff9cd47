// The GrainKV client: get, put and delete against a cluster, with limits checked before sending,
// per-request consistency, causal contexts for resolving concurrent writes, and failover to another gateway
// where that is safe (GatewayFailover).

using System.Text;
using GrainKV.Partitioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GrainKV.Versioning;

namespace GrainKV.Client;

/// <summary>Reads and writes a GrainKV cluster. Thread-safe; share one instance.</summary>
public sealed class GrainKvClient : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly GrainKvClientOptions _options;
    private readonly IHost? _ownedHost;

    /// <summary>Creates a client over an existing Orleans connection (see <see cref="GrainKvClientExtensions"/>).</summary>
    public GrainKvClient(IGrainFactory grains, IOptions<GrainKvClientOptions> options)
        : this(grains, options.Value, ownedHost: null)
    {
    }

    private GrainKvClient(IGrainFactory grains, GrainKvClientOptions options, IHost? ownedHost)
    {
        options.Validate();
        _grains = grains;
        _options = options;
        _ownedHost = ownedHost;
    }

    /// <summary>Connects to the cluster described by <paramref name="options"/>.</summary>
    /// <exception cref="ClusterUnavailableException">No gateway answered within <see cref="GrainKvClientOptions.ConnectTimeout"/>.</exception>
    public static async Task<GrainKvClient> ConnectAsync(GrainKvClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.AddGrainKvClient(o => o.CopyFrom(options));
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var reason = timeout.IsCancellationRequested ? $"no gateway answered within {options.ConnectTimeout.TotalSeconds:0.#} s" : ex.Message;
            throw new ClusterUnavailableException(
                $"Could not connect to the GrainKV cluster at {string.Join(", ", options.Gateways)}: {reason}", ex);
        }

        return new GrainKvClient(host.Services.GetRequiredService<IGrainFactory>(), options, host);
    }

    /// <summary>Reads <paramref name="key"/>: its value, or all concurrent values (siblings), and the causal context.</summary>
    /// <exception cref="NotEnoughReplicasException">Fewer than R replicas answered.</exception>
    public Task<ReadResult> GetAsync(byte[] key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyLimits.CheckKey(key);
        var grain = RangeGrain(key);
        return GatewayFailover.ReadAsync(token => grain.Get(key, options ?? ReadOptions.Default, token), _options, cancellationToken);
    }

    /// <summary>Reads the UTF-8 encoded <paramref name="key"/>.</summary>
    public Task<ReadResult> GetAsync(string key, ReadOptions? options = null, CancellationToken cancellationToken = default) =>
        GetAsync(Encoding.UTF8.GetBytes(key), options, cancellationToken);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>. With the <paramref name="context"/> of an
    /// earlier read it replaces the values that read saw; without one, a concurrent value is kept as a sibling.</summary>
    /// <exception cref="InvalidKeyException">The key is empty or too long.</exception>
    /// <exception cref="ValueTooLargeException">Key + value exceed the limit.</exception>
    /// <exception cref="NotEnoughReplicasException">Fewer than W replicas acknowledged.</exception>
    public Task PutAsync(byte[] key, byte[] value, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
        var grain = RangeGrain(key);
        return GatewayFailover.WriteAsync(() => grain.Put(key, value, context ?? CausalContext.Empty, options ?? WriteOptions.Default, cancellationToken), _options, cancellationToken);
    }

    /// <summary>Stores the UTF-8 encoded <paramref name="value"/> under the UTF-8 encoded <paramref name="key"/>.</summary>
    public Task PutAsync(string key, string value, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), context, options, cancellationToken);

    /// <summary>Deletes <paramref name="key"/> (the values named by <paramref name="context"/>, or all it can see if none).</summary>
    public async Task DeleteAsync(byte[] key, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyLimits.CheckKey(key);
        var grain = RangeGrain(key);
        if (context is null)
        {
            // A delete without context removes what a quorum read sees now.
            var current = await GatewayFailover.ReadAsync(token => grain.Get(key, new ReadOptions { Replicas = options?.Replicas }, token), _options, cancellationToken);
            context = current.Context;
        }

        await GatewayFailover.WriteAsync(() => grain.Delete(key, context, options ?? WriteOptions.Default, cancellationToken), _options, cancellationToken);
    }

    /// <summary>Deletes the UTF-8 encoded <paramref name="key"/>.</summary>
    public Task DeleteAsync(string key, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(Encoding.UTF8.GetBytes(key), context, options, cancellationToken);

    /// <summary>The cluster's nodes, their liveness and their share of the ranges.</summary>
    public Task<ClusterStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        _grains.GetGrain<IClusterStatusGrain>(0).GetStatus(cancellationToken);

    /// <summary>Anti-entropy per live node: keys its range trees count, and the exchanges it ran per range.</summary>
    public Task<GrainKV.AntiEntropy.AntiEntropyStatus> GetAntiEntropyStatusAsync(CancellationToken cancellationToken = default) =>
        _grains.GetGrain<GrainKV.AntiEntropy.IAntiEntropyStatusGrain>(0).GetStatus(cancellationToken);

    private IKeyRangeGrain RangeGrain(byte[] key) =>
        _grains.GetGrain<IKeyRangeGrain>(KeyPartitioner.RangeOf(key, _options.RangeCount));

    /// <summary>Closes the connection if this client opened it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownedHost is not null)
        {
            try
            {
                await _ownedHost.StopAsync();
            }
            finally
            {
                _ownedHost.Dispose();
            }
        }
    }
}
