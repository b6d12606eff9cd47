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
    private readonly GrainKvClientOptions _options;
    private readonly GatewayPool _pool;
    private readonly CancellationTokenSource _closing = new();
    private Task[] _reconnecting = [];

    /// <summary>Creates a client over an existing Orleans connection (see <see cref="GrainKvClientExtensions"/>).</summary>
    public GrainKvClient(IGrainFactory grains, IOptions<GrainKvClientOptions> options)
        : this(Validated(options.Value), [new Gateway("orleans client", grains, host: null, options.Value.MaxEntrySize)])
    {
    }

    /// <summary>Over <paramref name="gateways"/>; <paramref name="options"/> are validated already.</summary>
    private GrainKvClient(GrainKvClientOptions options, IReadOnlyList<Gateway> gateways)
    {
        _options = options;
        _pool = new GatewayPool(gateways, TimeProvider.System, options.GatewayPause);
    }

    private static GrainKvClientOptions Validated(GrainKvClientOptions options)
    {
        options.Validate();
        return options;
    }

    /// <summary>Connects to the cluster described by <paramref name="options"/>: one connection per gateway, each
    /// request sent through one of them (see GatewayPool). At least one gateway must answer within
    /// <see cref="GrainKvClientOptions.ConnectTimeout"/>; the others are tried again in the background and used once
    /// they answer.</summary>
    /// <exception cref="ClusterUnavailableException">No gateway answered within <see cref="GrainKvClientOptions.ConnectTimeout"/>
    /// (with TLS on, this includes gateways whose certificate is not trusted, and gateways that refuse this client's).</exception>
    /// <exception cref="OptionsValidationException">An option is invalid (every problem is listed); nothing is connected.</exception>
    /// <exception cref="GrainKV.Security.TlsConfigurationException">TLS is on and a certificate file is missing or unusable.</exception>
    public static async Task<GrainKvClient> ConnectAsync(GrainKvClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Tls.Enabled)
        {
            options.Tls.Load().Dispose();   // a missing or unusable certificate file fails here, once, with its name
        }

        GrainKvClient? client = null;
        var gateways = options.Gateways.Select(endpoint => new Gateway(endpoint, options.MaxEntrySize)).ToList();
        var failures = await Task.WhenAll(gateways.Select(gateway => TryConnectAsync(gateway, options, () => client, cancellationToken)));
        if (!gateways.Exists(g => g.IsConnected))
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ClusterUnavailableException(
                $"Could not connect to the GrainKV cluster at {string.Join(", ", options.Gateways)}: "
                + string.Join("; ", failures.Select(f => f.Error)),
                failures.Select(f => f.Exception).OfType<Exception>().First());
        }

        client = new GrainKvClient(options, gateways);
        client._reconnecting = [.. gateways.Where(g => !g.IsConnected).Select(client.KeepConnectingAsync)];
        return client;
    }

    /// <summary>Tries a gateway that did not answer at connection time again, every GatewayPause, until it answers or
    /// this client is disposed.</summary>
    private async Task KeepConnectingAsync(Gateway gateway)
    {
        while (!gateway.IsConnected && !_closing.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.GatewayPause, _closing.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await TryConnectAsync(gateway, _options, () => this, _closing.Token);
        }
    }

    /// <summary>Starts the Orleans client of one gateway and connects <paramref name="gateway"/> to it; its connection
    /// loss is reported to the pool of the client that <paramref name="owner"/> returns once built.</summary>
    private static async Task<(string Error, Exception? Exception)> TryConnectAsync(
        Gateway gateway, GrainKvClientOptions options, Func<GrainKvClient?> owner, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        string? tlsRejection = null;
        builder.AddGrainKvClient(
            o =>
            {
                o.CopyFrom(options);
                o.Gateways = [gateway.Name];
            },
            client => client.AddClusterConnectionLostHandler((_, _) =>
            {
                if (owner() is { } grainKv)
                {
                    grainKv._pool.OnConnectionLost(gateway);
                }
            }),
            rejection => tlsRejection = rejection);
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
            gateway.Connect(host.Services.GetRequiredService<IGrainFactory>(), host);
            return ("", null);
        }
        catch (Exception ex)
        {
            host.Dispose();
            var reason = timeout.IsCancellationRequested ? $"no answer within {options.ConnectTimeout.TotalSeconds:0.#} s" : ex.Message;
            if (options.Tls.Enabled)
            {
                reason += tlsRejection is null
                    ? " (TLS is on: the gateway may not run TLS, or may refuse this client's certificate)"
                    : $" ({tlsRejection})";
            }
            else
            {
                reason += " (TLS is off: if the cluster runs TLS, configure GrainKV:Tls)";
            }

            return ($"{gateway.Name}: {reason}", ex);
        }
    }

    /// <summary>Reads <paramref name="key"/>: its value, or all concurrent values (siblings), and the causal context.</summary>
    /// <exception cref="NotEnoughReplicasException">Fewer than R replicas answered.</exception>
    /// <exception cref="DatacenterQuorumException">With <see cref="ReadOptions.Consistency"/> LOCAL_QUORUM or EACH_QUORUM: a
    /// datacenter could not make its majority (at once when its live replicas are too few).</exception>
    public Task<ReadResult> GetAsync(byte[] key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyLimits.CheckKey(key);
        var range = RangeOf(key);
        return ReadAsync(new KeyRangeRequest(KeyRangeRequestKind.Get, range, key, Read: options ?? ReadOptions.Default), cancellationToken);
    }

    /// <summary>Reads the UTF-8 encoded <paramref name="key"/>.</summary>
    public Task<ReadResult> GetAsync(string key, ReadOptions? options = null, CancellationToken cancellationToken = default) =>
        GetAsync(Encoding.UTF8.GetBytes(key), options, cancellationToken);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>. With the <paramref name="context"/> of an
    /// earlier read it replaces the values that read saw; without one, a concurrent value is kept as a sibling.</summary>
    /// <exception cref="InvalidKeyException">The key is empty or too long.</exception>
    /// <exception cref="ValueTooLargeException">Key + value exceed the limit.</exception>
    /// <exception cref="NotEnoughReplicasException">Fewer than W replicas acknowledged.</exception>
    /// <exception cref="DatacenterQuorumException">With <see cref="WriteOptions.Consistency"/> LOCAL_QUORUM or EACH_QUORUM: a
    /// datacenter could not make its majority (at once, with nothing written, when its live replicas are too few).</exception>
    public Task PutAsync(byte[] key, byte[] value, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var range = RangeOfWrite(key, value, options);
        return WriteAsync(
            new KeyRangeRequest(KeyRangeRequestKind.Put, range, key, value, context ?? CausalContext.Empty, Write: options ?? WriteOptions.Default), cancellationToken);
    }

    /// <summary>Stores the UTF-8 encoded <paramref name="value"/> under the UTF-8 encoded <paramref name="key"/>.</summary>
    public Task PutAsync(string key, string value, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), context, options, cancellationToken);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> for <paramref name="timeToLive"/>: from then on the
    /// value reads as absent on every replica (see <see cref="WriteOptions.TimeToLive"/>). Otherwise like
    /// <see cref="PutAsync(byte[], byte[], CausalContext?, WriteOptions?, CancellationToken)"/>.</summary>
    /// <exception cref="InvalidRequestException">The time to live is under 1 ms or over <see cref="KeyLimits.MaxTimeToLive"/>.</exception>
    public Task PutAsync(byte[] key, byte[] value, TimeSpan timeToLive, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyLimits.CheckTimeToLive(timeToLive);
        return PutAsync(key, value, context, (options ?? WriteOptions.Default) with { TimeToLive = timeToLive }, cancellationToken);
    }

    /// <summary>Stores the UTF-8 encoded <paramref name="value"/> under the UTF-8 encoded <paramref name="key"/> for
    /// <paramref name="timeToLive"/>.</summary>
    public Task PutAsync(string key, string value, TimeSpan timeToLive, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), timeToLive, context, options, cancellationToken);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, superseding every value a read at
    /// <paramref name="read"/>'s quorum finds when the write is made: a blind overwrite (a Redis SET), last writer wins
    /// over what that read sees, with no causal context to fetch first. The node that coordinates it reads and writes in
    /// one call; when the read quorum is one replica the version's creator supersedes what it holds under the key's
    /// lock, so no separate read is made at all, and at W ≥ R > 1 the write goes first and the read is made only when
    /// the write's copies show that a replica held a version it missed (the write is then made again over it). A value
    /// held only by replicas outside the read quorum, or written concurrently, is kept as a sibling, as with
    /// <see cref="PutAsync(byte[], byte[], CausalContext?, WriteOptions?, CancellationToken)"/>.</summary>
    /// <exception cref="InvalidKeyException">The key is empty or too long.</exception>
    /// <exception cref="ValueTooLargeException">Key + value exceed the limit.</exception>
    /// <exception cref="NotEnoughReplicasException">Fewer than R replicas answered the read or fewer than W acknowledged the write.</exception>
    public Task OverwriteAsync(byte[] key, byte[] value, ReadOptions? read = null, WriteOptions? write = null, CancellationToken cancellationToken = default)
    {
        var range = RangeOfWrite(key, value, write);
        return WriteAsync(
            new KeyRangeRequest(KeyRangeRequestKind.Overwrite, range, key, value, Read: read ?? ReadOptions.Default, Write: write ?? WriteOptions.Default),
            cancellationToken);
    }

    /// <summary>The range of <paramref name="key"/>, once a write of <paramref name="value"/> with <paramref name="options"/>
    /// passed the checks made before anything is sent.</summary>
    private int RangeOfWrite(byte[] key, byte[] value, WriteOptions? options)
    {
        ArgumentNullException.ThrowIfNull(value);
        KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
        if (options?.TimeToLive is { } ttl)
        {
            KeyLimits.CheckTimeToLive(ttl);
        }

        return RangeOf(key);
    }

    /// <summary>Overwrites the UTF-8 encoded <paramref name="key"/> with the UTF-8 encoded <paramref name="value"/>.</summary>
    public Task OverwriteAsync(string key, string value, ReadOptions? read = null, WriteOptions? write = null, CancellationToken cancellationToken = default) =>
        OverwriteAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), read, write, cancellationToken);

    /// <summary>Deletes <paramref name="key"/> (the values named by <paramref name="context"/>, or all it can see if none).</summary>
    public async Task DeleteAsync(byte[] key, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyLimits.CheckKey(key);
        if (options?.TimeToLive is not null)
        {
            throw new InvalidRequestException("A delete takes no time to live; nothing was deleted.");
        }

        var range = RangeOf(key);
        if (context is null)
        {
            // A delete without context removes what a quorum read sees now (at the delete's consistency level, if named).
            var read = new ReadOptions { Replicas = options?.Replicas, Consistency = options?.Consistency };
            var current = await ReadAsync(new KeyRangeRequest(KeyRangeRequestKind.Get, range, key, Read: read), cancellationToken);
            context = current.Context;
        }

        await WriteAsync(new KeyRangeRequest(KeyRangeRequestKind.Delete, range, key, Context: context, Write: options ?? WriteOptions.Default), cancellationToken);
    }

    /// <summary>Deletes the UTF-8 encoded <paramref name="key"/>.</summary>
    public Task DeleteAsync(string key, CausalContext? context = null, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(Encoding.UTF8.GetBytes(key), context, options, cancellationToken);

    /// <summary>The cluster's nodes, their liveness and their share of the ranges.</summary>
    public Task<ClusterStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        GatewayFailover.ReadAsync(_pool, (gateway, token) => gateway.Grains.Factory.GetGrain<IClusterStatusGrain>(0).GetStatus(token), _options, cancellationToken);

    /// <summary>Anti-entropy per live node: keys its range trees count, and the exchanges it ran per range.</summary>
    public Task<GrainKV.AntiEntropy.AntiEntropyStatus> GetAntiEntropyStatusAsync(CancellationToken cancellationToken = default) =>
        GatewayFailover.ReadAsync(_pool, (gateway, token) => gateway.Grains.Factory.GetGrain<GrainKV.AntiEntropy.IAntiEntropyStatusGrain>(0).GetStatus(token), _options, cancellationToken);

    /// <summary>Sends <paramref name="payload"/> to a gateway, which sends it straight back: one round trip through the
    /// client's connection and the silo, with no store work (what every request pays at least).</summary>
    public Task<byte[]> EchoAsync(byte[] payload, CancellationToken cancellationToken = default) =>
        GatewayFailover.ReadAsync(_pool, (gateway, token) => gateway.Grains.Ping.Echo(payload, token), _options, cancellationToken);

    /// <summary>Starts decommissioning the live node <paramref name="nodeId"/>: its ranges are streamed to the nodes taking
    /// them over, then it leaves the ring (follow with <see cref="GetStatusAsync"/>).</summary>
    /// <exception cref="MembershipChangeException">Refused (unknown or dead node, another change under way, too few nodes left).</exception>
    public Task DecommissionNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        GatewayFailover.ReadAsync(_pool, async (gateway, token) => { await gateway.Grains.Factory.GetGrain<IMembershipGrain>(0).Decommission(nodeId, token); return true; }, _options, cancellationToken);

    /// <summary>Removes the dead node <paramref name="nodeId"/> from the ring; its ranges are re-replicated from the
    /// surviving replicas (follow with <see cref="GetStatusAsync"/>).</summary>
    /// <exception cref="MembershipChangeException">Refused (unknown or live node).</exception>
    public Task RemoveNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        GatewayFailover.ReadAsync(_pool, async (gateway, token) => { await gateway.Grains.Factory.GetGrain<IMembershipGrain>(0).Remove(nodeId, token); return true; }, _options, cancellationToken);

    private int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, _options.RangeCount);

    /// <summary>Runs a get through the pool's gateways (GatewayFailover's read rules): in a batch with the client's other
    /// reads to that gateway when <see cref="GrainKvClientOptions.BatchRequests"/> is on, else in a call of its own.</summary>
    private Task<ReadResult> ReadAsync(KeyRangeRequest request, CancellationToken cancellationToken) =>
        GatewayFailover.ReadAsync<ReadResult>(
            _pool,
            _options.BatchRequests
                ? async (gateway, token) => (await gateway.SendAsync(request, token).ConfigureAwait(false)).Result!
                : (gateway, token) => gateway.Grains.KeyRanges.Get(request.Range, request.Key, request.Read ?? ReadOptions.Default, token),
            _options,
            cancellationToken);

    /// <summary>Runs a put, overwrite or delete through the gateway of its key's range (GatewayFailover's write rules):
    /// in a batch with the client's other writes to that gateway when <see cref="GrainKvClientOptions.BatchRequests"/>
    /// is on, else in a call of its own.</summary>
    private Task WriteAsync(KeyRangeRequest request, CancellationToken cancellationToken) =>
        GatewayFailover.WriteAsync(
            _pool,
            _options.BatchRequests ? (gateway, token) => gateway.SendAsync(request, token) : (gateway, token) => KeyRangeCalls.Write(gateway.Grains.KeyRanges, request, token),
            _options,
            cancellationToken,
            request.Range);

    /// <summary>Closes the connections this client opened.</summary>
    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await Task.WhenAll(_reconnecting);
        _closing.Dispose();
        foreach (var host in _pool.Gateways.Select(g => g.Host).OfType<IHost>())
        {
            try
            {
                await host.StopAsync();
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}
