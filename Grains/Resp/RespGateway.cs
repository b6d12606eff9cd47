// The gateway's shared state and its command dispatcher: effective options, the store, connection ids and
// counts, and what INFO reports. Dispatch checks authentication, the command's name and arity, runs the
// handler and turns GrainKV's typed errors into Redis-style error replies (nothing is written for a command
// refused before its handler's write).

using System.Diagnostics;
using System.Text;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Replicas;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Resp;

/// <summary>The RESP gateway of this silo (one per silo).</summary>
public sealed class RespGateway
{
    /// <summary>The Redis version whose commands and replies the gateway follows (reported by HELLO and INFO).</summary>
    public const string RedisVersion = "7.2.0";

    private readonly IGrainFactory _grains;
    private readonly LocalStore _localStore;
    private readonly ILogger<RespGateway> _logger;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private long _lastId;
    private int _connections;

    public RespGateway(IOptions<RespOptions> options, IOptions<GrainKvNodeOptions> node, RespStore store, IGrainFactory grains, LocalStore localStore,
        ILogger<RespGateway> logger)
    {
        Options = options.Value;
        Store = store;
        MaxBulkLength = Options.MaxBulkLength ?? node.Value.MaxEntrySize;
        _grains = grains;
        _localStore = localStore;
        _logger = logger;
    }

    public RespOptions Options { get; }

    public RespStore Store { get; }

    /// <summary>Largest bulk string accepted: the configured one, else the node's entry limit.</summary>
    public int MaxBulkLength { get; }

    /// <summary>The port the gateway listens on (known once started).</summary>
    public int Port { get; internal set; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Counts a new connection unless the limit is reached.</summary>
    public bool TryOpenConnection(out long id)
    {
        id = 0;
        if (Interlocked.Increment(ref _connections) > Options.MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            return false;
        }

        id = Interlocked.Increment(ref _lastId);
        return true;
    }

    public void CloseConnection() => Interlocked.Decrement(ref _connections);

    /// <summary>Runs one command frame, writing its one reply.</summary>
    public async ValueTask ExecuteAsync(RespSession session, RespFrame frame, CancellationToken cancellationToken)
    {
        var reply = session.Reply;
        if (frame.Rejection is { } rejection)
        {
            reply.Error($"ERR {rejection}");
            return;
        }

        var name = Encoding.UTF8.GetString(frame.Arguments[0]);
        var command = RespCommandTable.Find(name);
        if (!session.Authenticated && command?.NoAuth != true)
        {
            reply.Error("NOAUTH Authentication required.");
            return;
        }

        var call = new RespCall(this, session, frame.Arguments, cancellationToken);
        if (command is null)
        {
            var args = string.Join(' ', frame.Arguments.Skip(1).Take(8).Select(a => $"'{Shorten(Encoding.UTF8.GetString(a))}'"));
            reply.Error($"ERR unknown command '{Shorten(name)}', with args beginning with: {args}");
            return;
        }

        if (!command.AcceptsCount(frame.Arguments.Count))
        {
            call.WrongArity();
            return;
        }

        try
        {
            await command.Handler(call);
        }
        catch (GrainKvException ex)
        {
            reply.Error($"ERR {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RespLog.CommandFailed(_logger, ex, command.Name, session.Id);
            reply.Error($"ERR {command.Name} failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>INFO's sections, in order: name, then fields.</summary>
    public async Task<List<(string Name, List<(string Field, string Value)> Fields)>> InfoSectionsAsync(CancellationToken cancellationToken)
    {
        var status = await _grains.GetGrain<IClusterStatusGrain>(0).GetStatus(cancellationToken);
        var engine = _localStore.Engine.GetStatistics();
        var uptime = Stopwatch.GetElapsedTime(_startedAt);
        return
        [
            ("Server", [("redis_version", RedisVersion), ("grainkv_version", typeof(RespGateway).Assembly.GetName().Version?.ToString() ?? "0"),
                ("redis_mode", "standalone"), ("os", Environment.OSVersion.VersionString), ("process_id", Environment.ProcessId.ToString()),
                ("tcp_port", Port.ToString()), ("uptime_in_seconds", ((long)uptime.TotalSeconds).ToString())]),
            ("Clients", [("connected_clients", Connections.ToString()), ("maxclients", Options.MaxConnections.ToString())]),
            ("Replication", [("role", "master"), ("connected_slaves", "0")]),
            ("Keyspace", []), // GrainKV does not count keys
            ("GrainKV", [("node_id", status.ObservedBy), ("ring_nodes", status.Nodes.Count.ToString()),
                ("live_nodes", status.Nodes.Count(n => n.IsLive).ToString()), ("range_count", status.RangeCount.ToString()),
                ("replication_factor", status.ReplicationFactor.ToString()), ("write_quorum", status.WriteQuorum.ToString()),
                ("read_quorum", status.ReadQuorum.ToString()), ("pending_hints", status.PendingHints.ToString())]),
            ("Engine", [("tables", engine.Tables.ToString()), ("table_bytes", engine.TableBytes.ToString()),
                ("memtable_bytes", engine.MemTableBytes.ToString()), ("user_bytes_written", engine.UserBytesWritten.ToString()),
                ("engine_bytes_written", engine.EngineBytesWritten.ToString()), ("flushes", engine.Flushes.ToString()),
                ("compactions", engine.Compactions.ToString()), ("cache_hits", engine.CacheHits.ToString()),
                ("cache_misses", engine.CacheMisses.ToString()), ("bloom_negatives", engine.BloomNegatives.ToString()),
                ("write_stalls", engine.WriteStalls.ToString())]),
        ];
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
