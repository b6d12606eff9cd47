// The gateways a client sends requests through, and what it knows of each.
//
// A client that connects by itself (GrainKvClient.ConnectAsync) runs one Orleans client per gateway and chooses the
// gateway of every request itself among the gateways it holds usable: reads round robin, writes by their key's range
// (the same gateway for every write of a key while it is usable). The gateway's node coordinates the write and picks
// the same creator each time (its own replica when it holds one), so concurrent overwrites of a key queue on one
// creator's key lock instead of meeting as concurrent versions, which an overwrite at W >= R > 1 would have to read
// and write again (KeyRangeRequests.OverwriteAsync): Dynamo's coordination of a key's writes by one node (§4.5,
// §6.4). One Orleans client over all gateways would choose by target grain and keep that choice until the connection
// breaks, so after a few gateway failures most requests would flow through whichever gateway lived longest, and all
// of them would stall when it died. Each gateway here has:
// - a loss signal: when its connection is lost (the Orleans client reports the loss of its only gateway), every
//   request in flight through it is cancelled at once, instead of waiting for a response that cannot come, and the
//   failover rules decide what is retried (GatewayFailover);
// - a pause: a gateway that was lost or refused a connection is not chosen for GatewayPause, unless every gateway
//   is paused. Its Orleans client reconnects by itself when a request is sent through it again;
// - a probation after a pause (a half-open circuit breaker): one request at a time goes through the gateway until
//   one is answered, so a node that has just restarted, cold, does not take a third of every worker's requests at
//   once and stall them all.
// A gateway that could not be reached when the client connected is tried again every GatewayPause in the
// background, and chosen once connected. A client built over an existing Orleans client (dependency injection)
// has one gateway entry that never signals.

using System.Runtime.ExceptionServices;
using GrainKV.Batching;
using Microsoft.Extensions.Hosting;

namespace GrainKV.Client;

/// <summary>One gateway: the grain factory that reaches it (once connected) and its health.</summary>
internal sealed class Gateway
{
    private Connection? _connection;
    private CancellationTokenSource _lost = new();
    private long _pausedUntil;
    private int _onProbation;
    private int _probeInFlight;

    /// <summary>A gateway not connected yet (its client keeps trying); <paramref name="maxEntrySize"/> is the largest value
    /// a read may bring back (what bounds a batch of reads).</summary>
    public Gateway(string name, int maxEntrySize = KeyLimits.DefaultMaxEntrySize)
    {
        Name = name;
        MaxEntrySize = maxEntrySize;
    }

    /// <summary>A connected gateway.</summary>
    public Gateway(string name, IGrainFactory grains, IHost? host, int maxEntrySize = KeyLimits.DefaultMaxEntrySize)
        : this(name, maxEntrySize) => Connect(grains, host);

    /// <summary>How a gateway's requests of one kind are batched: while fewer than MaxInFlight calls are out, a request
    /// leaves at once, as a call of its own; the ones made meanwhile leave together as a batch.</summary>
    public static BatchLimits Limits => BatchLimits.Default;

    public string Name { get; }

    /// <summary>The largest key + value a read through this gateway is expected to bring back.</summary>
    public int MaxEntrySize { get; }

    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    /// <summary>The grains reached through this gateway; only for a connected gateway (the pool chooses no other).</summary>
    public EntryGrains Grains => Volatile.Read(ref _connection)?.Grains ?? throw new InvalidOperationException($"Gateway {Name} is not connected.");

    /// <summary>The Orleans client host this gateway's connection runs in, if the GrainKV client owns it.</summary>
    public IHost? Host => Volatile.Read(ref _connection)?.Host;

    public void Connect(IGrainFactory grains, IHost? host) => Volatile.Write(ref _connection, new Connection(new EntryGrains(grains), host, this));

    /// <summary>Sends <paramref name="request"/> through this gateway: as a call of its own while fewer than
    /// <see cref="Limits"/> allows are out, else in a batch with the other requests of its kind made meanwhile (reads
    /// with reads, writes with writes: a read does not wait for a write in its batch's answer); returns its answer,
    /// or throws its failure. <paramref name="cancellationToken"/> gives up waiting for it; its batch runs
    /// on, and is cancelled only when the connection is lost.</summary>
    public async Task<KeyRangeReply> SendAsync(KeyRangeRequest request, CancellationToken cancellationToken)
    {
        var connection = Volatile.Read(ref _connection) ?? throw new InvalidOperationException($"Gateway {Name} is not connected.");
        var batcher = request.Kind == KeyRangeRequestKind.Get ? connection.Reads : connection.Writes;
        var reply = await batcher.SendAsync(request).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return reply;
    }

    /// <summary>Cancelled when the connection to this gateway is lost (requests in flight through it cannot be answered).</summary>
    public CancellationToken Lost => Volatile.Read(ref _lost).Token;

    /// <summary>True if a request may go through this gateway now; a gateway on probation admits one at a time.</summary>
    public bool TryAdmit(long now) =>
        IsConnected
        && now >= Interlocked.Read(ref _pausedUntil)
        && (Volatile.Read(ref _onProbation) == 0 || Interlocked.CompareExchange(ref _probeInFlight, 1, 0) == 0);

    /// <summary>The gateway answered a request (with a result or with GrainKV's own error): it serves again in full.</summary>
    public void Answered()
    {
        Volatile.Write(ref _onProbation, 0);
        Volatile.Write(ref _probeInFlight, 0);
    }

    /// <summary>A request ended without telling whether the gateway serves (its caller gave up): another may probe.</summary>
    public void Released() => Volatile.Write(ref _probeInFlight, 0);

    /// <summary>The connection broke: fails the requests in flight and pauses the gateway.</summary>
    public void OnConnectionLost(long pausedUntil)
    {
        Pause(pausedUntil);
        var lost = Interlocked.Exchange(ref _lost, new CancellationTokenSource());
        lost.Cancel();
        lost.Dispose();
    }

    public void Pause(long pausedUntil)
    {
        Interlocked.Exchange(ref _pausedUntil, pausedUntil);
        Volatile.Write(ref _onProbation, 1);
        Volatile.Write(ref _probeInFlight, 0);
    }

    /// <summary>A connection's grains and its request batchers (one for reads, one for writes); a batch is cancelled when
    /// the connection is lost (<see cref="Lost"/> when it is sent).</summary>
    private sealed class Connection(EntryGrains grains, IHost? host, Gateway gateway)
    {
        public EntryGrains Grains { get; } = grains;

        public IHost? Host { get; } = host;

        public RequestBatcher<KeyRangeRequest, KeyRangeReply> Reads { get; } = NewBatcher(grains, gateway);

        public RequestBatcher<KeyRangeRequest, KeyRangeReply> Writes { get; } = NewBatcher(grains, gateway);

        private static RequestBatcher<KeyRangeRequest, KeyRangeReply> NewBatcher(EntryGrains grains, Gateway gateway) =>
            new(
                requests => grains.KeyRanges.Batch(requests, gateway.Lost),
                request => request.ApproximateBytes(gateway.MaxEntrySize),
                Limits,
                request => KeyRangeCalls.CallAsync(grains.KeyRanges, request, gateway.Lost));
    }
}

/// <summary>Chooses the gateway of each request.</summary>
internal sealed class GatewayPool(IReadOnlyList<Gateway> gateways, TimeProvider time, TimeSpan downPause)
{
    private int _next = -1;

    public IReadOnlyList<Gateway> Gateways => gateways;

    /// <summary>The next connected gateway, round robin — or, with <paramref name="affinity"/>, the one it names (its
    /// remainder by the gateway count) and then the ones after it — skipping paused ones and those on probation with a
    /// probe in flight (unless none is left).</summary>
    public Gateway Choose(int? affinity = null)
    {
        var now = time.GetTimestamp();
        var start = (affinity ?? Interlocked.Increment(ref _next)) & int.MaxValue;
        for (var i = 0; i < gateways.Count; i++)
        {
            var gateway = gateways[(start + i) % gateways.Count];
            if (gateway.TryAdmit(now))
            {
                return gateway;
            }
        }

        for (var i = 0; i < gateways.Count; i++)
        {
            var gateway = gateways[(start + i) % gateways.Count];
            if (gateway.IsConnected)
            {
                return gateway;
            }
        }

        throw new InvalidOperationException("No gateway is connected (a client is built with at least one).");
    }

    /// <summary>Marks a gateway unusable for a while (it refused a connection or lost it).</summary>
    public void Pause(Gateway gateway) => gateway.Pause(PausedUntil());

    public void OnConnectionLost(Gateway gateway) => gateway.OnConnectionLost(PausedUntil());

    private long PausedUntil() => time.GetTimestamp() + (long)(downPause.TotalSeconds * time.TimestampFrequency);
}
