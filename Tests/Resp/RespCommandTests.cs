// The commands through StackExchange.Redis (and raw frames where the client hides the wire): connection
// commands, the string commands with their options, pipelining, RESP3, siblings through GRAINKV.GETALL.

using System.Text;
using GrainKV.Versioning;
using StackExchange.Redis;

namespace GrainKV.Tests.Resp;

[Collection(OpenGatewayFixture.Collection)]
public sealed class RespCommandTests(OpenGatewayFixture fixture)
{
    private RespSilo Silo => fixture.Silo;

    [Fact]
    public async Task ConnectionCommandsAnswerAsRedisDoes()
    {
        await using var redis = await Silo.ConnectAsync(o => o.ClientName = "tester");
        var db = redis.GetDatabase();
        await db.PingAsync();
        Assert.Equal("hi", (string?)await db.ExecuteAsync("ECHO", "hi"));
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SELECT", "0"));
        var select = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SELECT", "1"));
        Assert.StartsWith("ERR DB index is out of range", select.Message);
        Assert.Equal("tester", (string?)await db.ExecuteAsync("CLIENT", "GETNAME"));
        Assert.True((long)await db.ExecuteAsync("CLIENT", "ID") > 0);
        var auth = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("AUTH", "x"));
        Assert.Contains("without any password configured", auth.Message);

        await using var socket = await Silo.OpenSocketAsync();
        Assert.Equal("PONG", await socket.CallAsync("PING"));
        Assert.Equal("hello", await socket.CallAsync("PING", "hello"));
        Assert.Equal("OK", await socket.CallAsync("CLIENT", "SETNAME", "raw-client"));
        Assert.Equal("raw-client", await socket.CallAsync("CLIENT", "GETNAME"));
        Assert.StartsWith("-ERR Client names cannot contain spaces", (string?)await socket.CallAsync("CLIENT", "SETNAME", "a b"));
        Assert.Equal("OK", await socket.CallAsync("QUIT"));
        Assert.True(await socket.IsClosedByServerAsync());
    }

    [Fact]
    public async Task AConnectionStringAloneIsEnough()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Silo.Port},abortConnect=true");
        var db = redis.GetDatabase();
        await db.StringSetAsync("plain:k", "v");
        Assert.Equal("v", (string?)await db.StringGetAsync("plain:k"));
    }

    [Fact]
    public async Task SetGetDelExists()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.True((await db.StringGetAsync("sgde:a")).IsNull);
        Assert.True(await db.StringSetAsync("sgde:a", "1"));
        Assert.True(await db.StringSetAsync("sgde:a", "2"));
        Assert.Equal("2", (string?)await db.StringGetAsync("sgde:a"));
        Assert.Single((await Silo.Client.GetAsync("sgde:a")).Values); // SET replaced what it read: no sibling
        Assert.True(await db.KeyExistsAsync("sgde:a"));
        Assert.Equal(2, await db.KeyExistsAsync(["sgde:a", "sgde:a", "sgde:none"]));
        Assert.Equal(1, await db.KeyDeleteAsync(["sgde:a", "sgde:none"]));
        Assert.False(await db.KeyExistsAsync("sgde:a"));
        Assert.False(await db.KeyDeleteAsync("sgde:a"));
        Assert.True((await db.StringGetAsync("sgde:a")).IsNull);

        var binary = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await db.StringSetAsync("sgde:binary", binary);
        Assert.Equal(binary, (byte[]?)await db.StringGetAsync("sgde:binary"));
    }

    [Fact]
    public async Task SetOptionsNxXxGetAndBadExpiries()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.False(await db.StringSetAsync("opt:k", "x", when: When.Exists));
        Assert.False(await db.KeyExistsAsync("opt:k"));
        Assert.True(await db.StringSetAsync("opt:k", "first", when: When.NotExists));
        Assert.False(await db.StringSetAsync("opt:k", "second", when: When.NotExists));
        Assert.Equal("first", (string?)await db.StringGetAsync("opt:k"));
        Assert.True(await db.StringSetAsync("opt:k", "third", when: When.Exists));
        Assert.Equal("third", (string?)await db.StringSetAndGetAsync("opt:k", "fourth"));
        Assert.Equal("fourth", (string?)await db.StringGetAsync("opt:k"));
        Assert.True((await db.StringSetAndGetAsync("opt:new", "v")).IsNull);
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SET", "opt:k", "kept", "KEEPTTL"));
        var syntax = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SET", "opt:k", "v", "NX", "XX"));
        Assert.Equal("ERR syntax error", syntax.Message);

        foreach (var unit in new[] { "EX", "PX", "EXAT", "PXAT" })
        {
            var zero = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SET", "opt:ttl", "v", unit, "0"));
            Assert.Equal("ERR invalid expire time in 'set' command", zero.Message);
            var text = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SET", "opt:ttl", "v", unit, "soon"));
            Assert.Equal("ERR value is not an integer or out of range", text.Message);
        }

        Assert.Equal("ERR syntax error", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SET", "opt:ttl", "v", "EX", "5", "PX", "5"))).Message);
        Assert.Equal("ERR syntax error", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SET", "opt:ttl", "v", "EX", "5", "KEEPTTL"))).Message);
        var tooLong = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SETEX", "opt:ttl2", "-10", "v"));
        Assert.Equal("ERR invalid expire time in 'setex' command", tooLong.Message);
        Assert.StartsWith("ERR invalid expire time", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("PSETEX", "opt:ttl2", "99999999999999999", "v"))).Message);
        Assert.False(await db.KeyExistsAsync("opt:ttl"));
        Assert.False(await db.KeyExistsAsync("opt:ttl2"));
    }

    [Fact]
    public async Task MGetAndMSet()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.True(await db.StringSetAsync([new("m:a", "1"), new("m:b", "2"), new("m:a", "3")]));
        var values = await db.StringGetAsync(["m:a", "m:b", "m:none"]);
        Assert.Equal(["3", "2", null], values.Select(v => (string?)v));
    }

    [Fact]
    public async Task PipelinedCommandsAreAnsweredInOrder()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var sets = Enumerable.Range(0, 100).Select(i => batch.StringSetAsync($"pipe:{i}", $"v{i}")).ToList();
        var gets = Enumerable.Range(0, 100).Select(i => batch.StringGetAsync($"pipe:{i}")).ToList();
        batch.Execute();
        Assert.All(await Task.WhenAll(sets), Assert.True);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"v{i}"), (await Task.WhenAll(gets)).Select(v => (string?)v));

        // Many commands in one write, split at an arbitrary byte: every answer, in order.
        await using var socket = await Silo.OpenSocketAsync();
        var frames = new MemoryStream();
        for (var i = 0; i < 50; i++)
        {
            frames.Write(RespSocket.Frame("SET", $"raw:{i}", $"r{i}"));
            frames.Write(RespSocket.Frame("GET", $"raw:{i}"));
        }

        frames.Write("PING\r\n"u8);
        var bytes = frames.ToArray();
        await socket.SendAsync(bytes[..777]);
        await socket.SendAsync(bytes[777..]);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("OK", await socket.ReadAsync());
            Assert.Equal($"r{i}", await socket.ReadAsync());
        }

        Assert.Equal("PONG", await socket.ReadAsync());
    }

    [Fact]
    public async Task Resp3ThroughHello()
    {
        await using var redis = await Silo.ConnectAsync(o => o.Protocol = RedisProtocol.Resp3);
        var db = redis.GetDatabase();
        Assert.Equal(RedisProtocol.Resp3, redis.GetServer(redis.GetEndPoints()[0]).Protocol);
        await db.StringSetAsync("r3:k", "v");
        Assert.Equal("v", (string?)await db.StringGetAsync("r3:k"));
        Assert.True((await db.StringGetAsync("r3:none")).IsNull);

        await using var socket = await Silo.OpenSocketAsync();
        await socket.SendAsync(RespSocket.Frame("HELLO", "3"));
        Assert.Equal("%7\r\n", await ReadRawLineAsync(socket));
        var hello = await socket.ReadValuesAsync(14);
        Assert.Equal(3L, hello[Array.IndexOf(hello, "proto") + 1]);
        await socket.SendAsync(RespSocket.Frame("GET", "r3:none"));
        Assert.Equal("_\r\n", await ReadRawLineAsync(socket));
        Assert.StartsWith("-NOPROTO", (string?)await socket.CallAsync("HELLO", "4"));
    }

    [Fact]
    public async Task SiblingsThroughGetAllAndPutWithContext()
    {
        // Two writes without a context leave two siblings.
        await Silo.Client.PutAsync("sib:k", "apple");
        await Silo.Client.PutAsync("sib:k", "pear");
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();

        var all = (RedisResult[])(await db.ExecuteAsync("GRAINKV.GETALL", "sib:k"))!;
        Assert.Equal(["apple", "pear"], ((RedisResult[])all[0]!).Select(v => (string?)v));
        var context = (string)all[1]!;
        Assert.Equal((await Silo.Client.GetAsync("sib:k")).Context, CausalContext.Parse(context));
        Assert.Equal("pear", (string?)await db.StringGetAsync("sib:k")); // the greatest in byte order

        // A context belongs to its key: refused, nothing stored.
        var mismatch = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("GRAINKV.PUT", "sib:other", "x", context));
        Assert.Contains("another key", mismatch.Message);
        Assert.False(await db.KeyExistsAsync("sib:other"));
        var malformed = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("GRAINKV.PUT", "sib:k", "x", "not*base64"));
        Assert.Contains("invalid context", malformed.Message);

        Assert.Equal("OK", (string?)await db.ExecuteAsync("GRAINKV.PUT", "sib:k", "fruit salad", context));
        all = (RedisResult[])(await db.ExecuteAsync("GRAINKV.GETALL", "sib:k"))!;
        Assert.Equal(["fruit salad"], ((RedisResult[])all[0]!).Select(v => (string?)v));

        // An empty context writes a sibling; SET then replaces every sibling it reads.
        await db.ExecuteAsync("GRAINKV.PUT", "sib:k", "banana", "");
        Assert.Equal(2, (await Silo.Client.GetAsync("sib:k")).Values.Count);
        await db.StringSetAsync("sib:k", "one");
        Assert.Equal(["one"], (await Silo.Client.GetAsync("sib:k")).Values.Select(v => Encoding.UTF8.GetString(v)));

        all = (RedisResult[])(await db.ExecuteAsync("GRAINKV.GETALL", "sib:none"))!;
        Assert.Empty((RedisResult[])all[0]!);
        Assert.Equal("", (string?)all[1]);
    }

    [Fact]
    public async Task InfoAndCommand()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        var info = (string?)await db.ExecuteAsync("INFO");
        foreach (var field in new[] { "# Server", "redis_version:", "# Clients", "connected_clients:", "# Keyspace", "# GrainKV", "ring_nodes:1", "live_nodes:1", "# Engine", "memtable_bytes:" })
        {
            Assert.Contains(field, info);
        }

        var grainKv = (string?)await db.ExecuteAsync("INFO", "grainkv");
        Assert.Contains("read_quorum:1", grainKv);
        Assert.DoesNotContain("# Server", grainKv);

        Assert.Equal(27, (long)await db.ExecuteAsync("COMMAND", "COUNT"));
        var commands = (RedisResult[])(await db.ExecuteAsync("COMMAND"))!;
        Assert.Contains("grainkv.getall", commands.Select(c => (string?)((RedisResult[])c!)[0]));
        var docs = (RedisResult[])(await db.ExecuteAsync("COMMAND", "DOCS", "get"))!;
        Assert.Equal("get", (string?)docs[0]);
        var unknown = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("FLUSHALL"));
        Assert.StartsWith("ERR unknown command 'FLUSHALL'", unknown.Message);
    }

    private static Task<string> ReadRawLineAsync(RespSocket socket) => socket.ReadRawLineAsync();
}
