// Bad input: every broken frame is answered "-ERR Protocol error" and closes the connection; oversized bulk
// strings and keys, too many arguments, unknown commands and wrong arity get a Redis-style -ERR on a
// connection that stays usable. In every case nothing is stored.

using System.Text;
using StackExchange.Redis;

namespace GrainKV.Tests.Resp;

[Collection(OpenGatewayFixture.Collection)]
public sealed class RespBadInputTests(OpenGatewayFixture fixture)
{
    private static readonly string LongKey = new('k', KeyLimits.MaxKeySize + 1);

    private RespSilo Silo => fixture.Silo;

    public static TheoryData<string, string, string> MalformedFrames => new()
    {
        { "*3\r\n$3\r\nSET\r\n$5\r\nbad:1\r\n$x\r\n", "bad:1", "invalid bulk length" },
        { "*3\r\n$3\r\nSET\r\n$5\r\nbad:2\r\n$-5\r\n", "bad:2", "invalid bulk length" },
        { "*3\r\n$3\r\nSET\r\n$5\r\nbad:3\r\n$1\r\nvXX", "bad:3", "bulk string not terminated by CRLF" },
        { "*3\r\n$3\r\nSET\r\n$5\r\nbad:4\r\n:5\r\n", "bad:4", "expected '$', got ':'" },
        { "*3\r\n$3\r\nSET\r\n$5\nbad:5\r\n$1\r\nv\r\n", "bad:5", "line not terminated by CRLF" },
        { "*3\r\n$3\r\nSET\r\n$5\r\nbad:6\r\n*1\r\n", "bad:6", "expected '$', got '*'" },
        { "*x\r\n", "bad:7", "invalid multibulk length" },
        { "*99999999\r\n", "bad:8", "invalid multibulk length" },
        { "*3\r\n$3\r\nSET\r\n$5\r\nbad:9\r\n$" + new string('9', 40) + "\r\n", "bad:9", "line too long" },
        { "SET bad:10 " + new string('v', 70_000), "bad:10", "too big inline request" },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task MalformedFrameIsAnErrorAndClosesTheConnection(string frame, string key, string error)
    {
        await using var socket = await Silo.OpenSocketAsync();
        await socket.SendAsync(frame);
        Assert.Equal($"-ERR Protocol error: {error}", await socket.ReadAsync());
        Assert.True(await socket.IsClosedByServerAsync());
        Assert.False((await Silo.Client.GetAsync(key)).Found);
    }

    [Fact]
    public async Task CommandsBeforeABrokenFrameAreAnsweredFirst()
    {
        await using var socket = await Silo.OpenSocketAsync();
        await socket.SendAsync([.. RespSocket.Frame("SET", "bad:before", "v"), .. "*1\r\n$4\r\nPINGxx"u8]);
        Assert.Equal("OK", await socket.ReadAsync());
        Assert.Equal("-ERR Protocol error: bulk string not terminated by CRLF", await socket.ReadAsync());
        Assert.True(await socket.IsClosedByServerAsync());
    }

    [Fact]
    public async Task BulkOverTheEntryLimitIsRefusedAndTheConnectionGoesOn()
    {
        var limit = Silo.Gateway.MaxBulkLength;
        Assert.Equal(KeyLimits.DefaultMaxEntrySize, limit);
        await using var socket = await Silo.OpenSocketAsync();
        var frame = RespSocket.Frame("SET", "bad:big", new byte[limit + 1]);
        for (var offset = 0; offset < frame.Length; offset += 1000)
        {
            await socket.SendAsync(frame[offset..Math.Min(frame.Length, offset + 1000)]); // discarded as it arrives
        }

        Assert.Equal($"-ERR bulk string of {limit + 1} bytes exceeds the limit of {limit} bytes; nothing was stored", await socket.ReadAsync());
        Assert.Equal("PONG", await socket.CallAsync("PING"));

        // Each bulk under the limit, key + value over it: the store's own check.
        Assert.StartsWith("-ERR Key and value of", (string?)await socket.CallAsync("SET", "bad:big", new string('v', limit - 6)));
        Assert.StartsWith("-ERR Key and value of", (string?)await socket.CallAsync("GRAINKV.PUT", "bad:big", new string('v', limit - 6), ""));
        Assert.StartsWith("-ERR Key and value of", (string?)await socket.CallAsync("MSET", "bad:big2", "v", "bad:big", new string('v', limit - 6)));
        Assert.False((await Silo.Client.GetAsync("bad:big")).Found);
        Assert.False((await Silo.Client.GetAsync("bad:big2")).Found);

        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("bad:big", new byte[limit + 1]));
        Assert.Contains("exceeds the limit", refused.Message);
        Assert.False(await db.KeyExistsAsync("bad:big"));
    }

    [Fact]
    public async Task KeysOverTheKeyLimitOrEmptyAreRefused()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        foreach (var call in new Func<Task>[]
        {
            () => db.StringSetAsync(LongKey, "v"),
            () => db.StringGetAsync(LongKey),
            () => db.StringSetAsync([new("bad:ok", "v"), new(LongKey, "v")]),
            () => db.StringGetAsync(["bad:ok", LongKey]),
            () => db.KeyDeleteAsync(["bad:ok", LongKey]),
            () => db.KeyExistsAsync(LongKey),
            () => db.ExecuteAsync("GRAINKV.GETALL", LongKey),
            () => db.ExecuteAsync("GRAINKV.PUT", LongKey, "v", ""),
            () => db.StringSetAsync("", "v"),
        })
        {
            var refused = await Assert.ThrowsAsync<RedisServerException>(call);
            Assert.Matches("^ERR (Key of 1025 bytes exceeds the limit of 1024 bytes|Keys must not be empty)", refused.Message);
        }

        Assert.False((await Silo.Client.GetAsync("bad:ok")).Found);
        Assert.False((await Silo.Client.GetAsync(LongKey[..KeyLimits.MaxKeySize])).Found);
        await db.PingAsync();
    }

    [Fact]
    public async Task TooManyArgumentsAreRefusedAndNothingIsStored()
    {
        var pairs = Enumerable.Range(0, OpenGatewayFixture.MaxArguments / 2).Select(i => new KeyValuePair<RedisKey, RedisValue>($"bad:many:{i}", "v")).ToArray();
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync(pairs));
        Assert.Equal($"ERR too many arguments ({pairs.Length * 2 + 1}); at most {OpenGatewayFixture.MaxArguments} per command", refused.Message);
        foreach (var (key, _) in pairs)
        {
            Assert.False((await Silo.Client.GetAsync(key.ToString())).Found);
        }

        await using var socket = await Silo.OpenSocketAsync();
        var words = string.Join(' ', Enumerable.Range(0, OpenGatewayFixture.MaxArguments).Select(i => $"bad:inline:{i}"));
        await socket.SendAsync($"MSET {words}\r\n");
        Assert.StartsWith("-ERR too many arguments", (string?)await socket.ReadAsync());
        Assert.Equal("PONG", await socket.CallAsync("PING"));
        Assert.False((await Silo.Client.GetAsync("bad:inline:0")).Found);
    }

    [Fact]
    public async Task UnknownCommandsAndWrongArityAreErrors()
    {
        await using var socket = await Silo.OpenSocketAsync();
        Assert.Equal("-ERR unknown command 'HSET', with args beginning with: 'bad:h' 'f' 'v'", await socket.CallAsync("HSET", "bad:h", "f", "v"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command", await socket.CallAsync("GET", "bad:a", "bad:b"));
        Assert.Equal("-ERR wrong number of arguments for 'mset' command", await socket.CallAsync("MSET", "bad:a", "1", "bad:b"));
        Assert.Equal("-ERR syntax error", await socket.CallAsync("SET", "bad:a", "1", "EX"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'KILL'. Try CLIENT HELP.", await socket.CallAsync("CLIENT", "KILL"));
        Assert.Equal("PONG", await socket.CallAsync("PING"));
        foreach (var key in new[] { "bad:h", "bad:a", "bad:b" })
        {
            Assert.False((await Silo.Client.GetAsync(key)).Found);
        }

        await using var redis = await Silo.ConnectAsync();
        var unknown = await Assert.ThrowsAsync<RedisServerException>(() => redis.GetDatabase().ExecuteAsync("LPUSH", "bad:list", "x"));
        Assert.StartsWith("ERR unknown command 'LPUSH'", unknown.Message);
        Assert.Equal("ERR unknown command 'LPUSH', with args beginning with: 'bad:list' 'x'", unknown.Message);
        Assert.False((await Silo.Client.GetAsync(Encoding.UTF8.GetBytes("bad:list"))).Found);
    }
}
