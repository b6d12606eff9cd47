// Every command the gateway answers, with its Redis-style arity, flags and key positions. Lookup ignores case.

namespace GrainKV.Grains.Resp;

/// <summary>The gateway's commands.</summary>
public static class RespCommandTable
{
    private static readonly string[] Fast = ["fast"];
    private static readonly string[] NoAuthFast = ["no-auth", "fast"];
    private static readonly string[] Read = ["readonly"];
    private static readonly string[] ReadFast = ["readonly", "fast"];
    private static readonly string[] Write = ["write"];

    /// <summary>All commands, in the order COMMAND lists them.</summary>
    public static IReadOnlyList<RespCommand> All { get; } =
    [
        new("ping", -1, "connection", "Returns PONG, or the given message.", Fast, 0, 0, 0, ConnectionCommands.Ping),
        new("echo", 2, "connection", "Returns the given string.", Fast, 0, 0, 0, ConnectionCommands.Echo),
        new("auth", -2, "connection", "Authenticates the connection (user 'default').", NoAuthFast, 0, 0, 0, ConnectionCommands.Auth),
        new("hello", -1, "connection", "Handshake: protocol version (2 or 3), AUTH, SETNAME.", NoAuthFast, 0, 0, 0, ConnectionCommands.Hello),
        new("select", 2, "connection", "Selects database 0, the only one.", Fast, 0, 0, 0, ConnectionCommands.Select),
        new("client", -2, "connection", "CLIENT SETNAME, GETNAME, ID, INFO, SETINFO.", Fast, 0, 0, 0, ConnectionCommands.Client),
        new("quit", -1, "connection", "Closes the connection.", NoAuthFast, 0, 0, 0, ConnectionCommands.Quit),
        new("command", -1, "server", "COMMAND, COMMAND COUNT, COMMAND INFO, COMMAND DOCS.", [], 0, 0, 0, ServerCommands.Command),
        new("info", -1, "server", "Server, clients, keyspace, cluster and engine figures.", [], 0, 0, 0, ServerCommands.Info),
        new("get", 2, "string", "Returns the key's value (with siblings: the greatest in byte order).", Read, 1, 1, 1, KeyValueCommands.Get),
        new("set", -3, "string", "Sets the key, replacing what a quorum read sees. NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL.", Write, 1, 1, 1, KeyValueCommands.Set),
        new("setnx", 3, "string", "Sets the key only if it does not exist; returns 1 if set.", Write, 1, 1, 1, KeyValueCommands.SetNx),
        new("setex", 4, "string", "Sets the key with a time to live in seconds.", Write, 1, 1, 1, ExpiryCommands.SetEx),
        new("psetex", 4, "string", "Sets the key with a time to live in milliseconds.", Write, 1, 1, 1, ExpiryCommands.SetEx),
        new("del", -2, "generic", "Deletes keys; returns how many existed.", Write, 1, -1, 1, KeyValueCommands.Del),
        new("unlink", -2, "generic", "Same as DEL.", Write, 1, -1, 1, KeyValueCommands.Del),
        new("exists", -2, "generic", "Counts the given keys that exist.", Read, 1, -1, 1, KeyValueCommands.Exists),
        new("mget", -2, "string", "Returns the values of keys.", Read, 1, -1, 1, KeyValueCommands.MGet),
        new("mset", -3, "string", "Sets keys like SET, each on its own (not atomic).", Write, 1, -1, 2, KeyValueCommands.MSet),
        new("ttl", 2, "generic", "Seconds until the key's value expires; -1 never, -2 absent.", ReadFast, 1, 1, 1, ExpiryCommands.Ttl),
        new("pttl", 2, "generic", "Milliseconds until the key's value expires; -1 never, -2 absent.", ReadFast, 1, 1, 1, ExpiryCommands.Ttl),
        new("expire", -3, "generic", "Rewrites the key's value to expire in seconds (NX, XX, GT, LT).", Write, 1, 1, 1, ExpiryCommands.Expire),
        new("pexpire", -3, "generic", "Rewrites the key's value to expire in milliseconds (NX, XX, GT, LT).", Write, 1, 1, 1, ExpiryCommands.Expire),
        new("persist", 2, "generic", "Rewrites the key's value without expiry; 1 if it had one.", Write, 1, 1, 1, ExpiryCommands.Persist),
        new("grainkv.consistency", -1, "grainkv", "Shows or sets this connection's N, R, W and mode.", Fast, 0, 0, 0, ConsistencyCommand.Run),
        new("grainkv.getall", 2, "grainkv", "Returns every sibling of the key and its context.", Read, 1, 1, 1, GrainKvCommands.GetAll),
        new("grainkv.put", 4, "grainkv", "Writes a value superseding the versions a context names.", Write, 1, 1, 1, GrainKvCommands.Put),
    ];

    private static readonly Dictionary<string, RespCommand> ByName = All.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The command named <paramref name="name"/> (any case), or null.</summary>
    public static RespCommand? Find(string name) => ByName.GetValueOrDefault(name);
}
