// Redis through StackExchange.Redis. Single node: one multiplexed connection for all workers (the
// library's recommended use). Primary + replicas: each write is followed by `WAIT 1 <timeout>` (the
// nearest analogue of W=2: the primary plus one replica hold it); WAIT blocks the connection it is sent
// on, so here every worker has its own connection. Reads go to the primary.

using StackExchange.Redis;

namespace GrainKV.Bench.Cluster;

internal sealed class RedisTarget : IKvTarget
{
    private readonly ConnectionMultiplexer[] _connections;
    private readonly IDatabase[] _databases;
    private readonly int _waitReplicas;
    private readonly int _waitTimeoutMs;

    private RedisTarget(string name, ConnectionMultiplexer[] connections, int waitReplicas, int waitTimeoutMs)
    {
        Name = name;
        _connections = connections;
        _databases = connections.Select(c => c.GetDatabase()).ToArray();
        _waitReplicas = waitReplicas;
        _waitTimeoutMs = waitTimeoutMs;
    }

    public string Name { get; }

    /// <summary>Connects <paramref name="connections"/> multiplexers to the primary at <paramref name="port"/>.</summary>
    public static async Task<RedisTarget> ConnectAsync(string name, int port, int connections, int waitReplicas, int waitTimeoutMs)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", port } },
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
            CommandMap = CommandMap.Create(new HashSet<string> { "SUBSCRIBE" }, available: false),
        };
        var opened = new List<ConnectionMultiplexer>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                opened.Add(await ConnectionMultiplexer.ConnectAsync(options));
            }
        }
        catch
        {
            foreach (var c in opened)
            {
                await c.DisposeAsync();
            }

            throw;
        }

        return new RedisTarget(name, [.. opened], waitReplicas, waitTimeoutMs);
    }

    public Task ReadAsync(int worker, string key, CancellationToken cancellationToken) => Db(worker).StringGetAsync(key);

    public Task UpdateAsync(int worker, string key, byte[] value, CancellationToken cancellationToken) => WriteAsync(worker, key, value);

    public Task InsertAsync(int worker, string key, byte[] value, CancellationToken cancellationToken) => WriteAsync(worker, key, value);

    public async Task ReadModifyWriteAsync(int worker, string key, byte[] value, CancellationToken cancellationToken)
    {
        await Db(worker).StringGetAsync(key);
        await WriteAsync(worker, key, value);
    }

    private async Task WriteAsync(int worker, string key, byte[] value)
    {
        var db = Db(worker);
        await db.StringSetAsync(key, value);
        if (_waitReplicas > 0)
        {
            var acked = (long)await db.ExecuteAsync("WAIT", _waitReplicas, _waitTimeoutMs);
            if (acked < _waitReplicas)
            {
                throw new InvalidOperationException($"WAIT: {acked} of {_waitReplicas} replica(s) acknowledged within {_waitTimeoutMs} ms.");
            }
        }
    }

    private IDatabase Db(int worker) => _databases[worker % _databases.Length];

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
