// The time-to-live commands through StackExchange.Redis (and raw frames where the client hides the wire), with the
// node's expiry clock moved by the test instead of waiting: SET EX/PX/EXAT/PXAT/KEEPTTL, SETEX, PSETEX, TTL, PTTL,
// EXPIRE/PEXPIRE with NX/XX/GT/LT, PERSIST; and GRAINKV.CONSISTENCY, the consistency of one connection.

using GrainKV.Versioning;
using StackExchange.Redis;

namespace GrainKV.Tests.Resp;

[Collection(OpenGatewayFixture.Collection)]
public sealed class RespExpiryTests(OpenGatewayFixture fixture)
{
    private RespSilo Silo => fixture.Silo;

    [Fact]
    public async Task SetWithExOrPxExpiresAndTtlCountsDown()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.True(await db.StringSetAsync("ttl:ex", "seconds", TimeSpan.FromSeconds(60)));
        Assert.True(await db.StringSetAsync("ttl:px", "millis", TimeSpan.FromMilliseconds(1500)));
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SET", "ttl:raw", "v", "PX", "2500"));
        Assert.Equal(TimeSpan.FromSeconds(60), await db.KeyTimeToLiveAsync("ttl:ex"));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), await db.KeyTimeToLiveAsync("ttl:px"));
        Assert.Equal(3L, (long)await db.ExecuteAsync("TTL", "ttl:raw")); // 2.5 s rounds to 3, as Redis does

        Silo.Expiry.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.True((await db.StringGetAsync("ttl:px")).IsNull);
        Assert.False(await db.KeyExistsAsync("ttl:px"));
        Assert.Null(await db.KeyTimeToLiveAsync("ttl:px"));
        Assert.Equal(-2L, (long)await db.ExecuteAsync("PTTL", "ttl:px"));
        Assert.Equal("seconds", (string?)await db.StringGetAsync("ttl:ex"));
        Assert.Equal(58_500L, (long)await db.ExecuteAsync("PTTL", "ttl:ex"));
        Assert.False((await Silo.Client.GetAsync("ttl:px")).Found);

        // A plain SET drops the expiry, as in Redis.
        Assert.True(await db.StringSetAsync("ttl:ex", "lasting"));
        Assert.Equal(-1L, (long)await db.ExecuteAsync("TTL", "ttl:ex"));
        Assert.Equal(-2L, (long)await db.ExecuteAsync("TTL", "ttl:never-written"));
    }

    [Fact]
    public async Task SetExAndPSetEx()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SETEX", "ttl:setex", "10", "ten"));
        Assert.Equal("OK", (string?)await db.ExecuteAsync("PSETEX", "ttl:psetex", "300", "short"));
        Assert.Equal(10L, (long)await db.ExecuteAsync("TTL", "ttl:setex"));
        Assert.Equal(300L, (long)await db.ExecuteAsync("PTTL", "ttl:psetex"));
        Assert.Single((await Silo.Client.GetAsync("ttl:setex")).Values);

        Silo.Expiry.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(1L, (long)await db.ExecuteAsync("EXISTS", "ttl:setex", "ttl:psetex"));
        Silo.Expiry.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0L, (long)await db.ExecuteAsync("EXISTS", "ttl:setex", "ttl:psetex"));
        var values = (RedisValue[])(await db.ExecuteAsync("MGET", "ttl:setex", "ttl:psetex"))!;
        Assert.All(values, v => Assert.True(v.IsNull));
    }

    [Fact]
    public async Task SetAtAnInstantAndKeepTtl()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        var now = Silo.Expiry.GetUtcNow();
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SET", "ttl:exat", "v", "EXAT", now.AddSeconds(40).ToUnixTimeSeconds().ToString()));
        Assert.InRange((long)await db.ExecuteAsync("TTL", "ttl:exat"), 39, 40);
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SET", "ttl:pxat", "v", "PXAT", now.AddMilliseconds(700).ToUnixTimeMilliseconds().ToString()));
        Assert.Equal(700L, (long)await db.ExecuteAsync("PTTL", "ttl:pxat"));

        Assert.Equal("OK", (string?)await db.ExecuteAsync("SET", "ttl:pxat", "replaced", "KEEPTTL"));
        Assert.Equal(700L, (long)await db.ExecuteAsync("PTTL", "ttl:pxat"));
        Assert.Equal("replaced", (string?)await db.StringGetAsync("ttl:pxat"));
        Assert.Equal("replaced", (string?)await db.ExecuteAsync("SET", "ttl:pxat", "again", "KEEPTTL", "GET"));
        Assert.Equal(700L, (long)await db.ExecuteAsync("PTTL", "ttl:pxat"));

        // An instant already past stores a value that has expired by the next read.
        Assert.Equal("OK", (string?)await db.ExecuteAsync("SET", "ttl:past", "v", "PXAT", now.AddSeconds(-5).ToUnixTimeMilliseconds().ToString()));
        Silo.Expiry.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await db.KeyExistsAsync("ttl:past"));

        Silo.Expiry.Advance(TimeSpan.FromMilliseconds(700));
        Assert.False(await db.KeyExistsAsync("ttl:pxat"));
    }

    [Fact]
    public async Task ExpireAndPersist()
    {
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        await db.StringSetAsync("ttl:exp", "kept value");
        Assert.False(await db.KeyExpireAsync("ttl:absent", TimeSpan.FromSeconds(5)));
        Assert.False(await db.KeyPersistAsync("ttl:exp"));

        Assert.True(await db.KeyExpireAsync("ttl:exp", TimeSpan.FromSeconds(50)));
        Assert.Equal(TimeSpan.FromSeconds(50), await db.KeyTimeToLiveAsync("ttl:exp"));
        Assert.Equal("kept value", (string?)await db.StringGetAsync("ttl:exp"));
        Assert.True(await db.KeyPersistAsync("ttl:exp"));
        Assert.Null(await db.KeyTimeToLiveAsync("ttl:exp"));
        Assert.Equal("kept value", (string?)await db.StringGetAsync("ttl:exp"));

        // NX / XX / GT / LT, as in Redis 7 (no expiry counts as an infinite one).
        Assert.Equal(0L, (long)await db.ExecuteAsync("EXPIRE", "ttl:exp", "30", "XX"));
        Assert.Equal(0L, (long)await db.ExecuteAsync("EXPIRE", "ttl:exp", "30", "GT"));
        Assert.Equal(1L, (long)await db.ExecuteAsync("EXPIRE", "ttl:exp", "30", "NX"));
        Assert.Equal(0L, (long)await db.ExecuteAsync("EXPIRE", "ttl:exp", "40", "NX"));
        Assert.Equal(0L, (long)await db.ExecuteAsync("EXPIRE", "ttl:exp", "40", "LT"));
        Assert.Equal(1L, (long)await db.ExecuteAsync("EXPIRE", "ttl:exp", "40", "GT"));
        Assert.Equal(1L, (long)await db.ExecuteAsync("PEXPIRE", "ttl:exp", "20000", "LT"));
        Assert.Equal(20_000L, (long)await db.ExecuteAsync("PTTL", "ttl:exp"));
        Assert.Equal("ERR NX and XX, GT or LT options at the same time are not compatible",
            (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("EXPIRE", "ttl:exp", "5", "NX", "XX"))).Message);
        Assert.Equal("ERR Unsupported option YY", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("EXPIRE", "ttl:exp", "5", "YY"))).Message);
        Assert.Equal("ERR value is not an integer or out of range", (await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("EXPIRE", "ttl:exp", "soon"))).Message);
        Assert.Equal(20_000L, (long)await db.ExecuteAsync("PTTL", "ttl:exp"));

        Silo.Expiry.Advance(TimeSpan.FromSeconds(20));
        Assert.False(await db.KeyExistsAsync("ttl:exp"));
        Assert.False(await db.KeyPersistAsync("ttl:exp"));

        // A time that is not positive deletes the key, as in Redis.
        await db.StringSetAsync("ttl:now", "v");
        Assert.Equal(1L, (long)await db.ExecuteAsync("EXPIRE", "ttl:now", "0"));
        Assert.False(await db.KeyExistsAsync("ttl:now"));
    }

    [Fact]
    public async Task ExpireOnSiblingsRewritesTheValueGetAnswers()
    {
        await Silo.Client.PutAsync("ttl:siblings", "apple");
        await Silo.Client.PutAsync("ttl:siblings", "pear");
        await using var redis = await Silo.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.Equal(-1L, (long)await db.ExecuteAsync("TTL", "ttl:siblings"));

        Assert.True(await db.KeyExpireAsync("ttl:siblings", TimeSpan.FromSeconds(5)));

        var read = await Silo.Client.GetAsync("ttl:siblings");
        Assert.Equal("pear", System.Text.Encoding.UTF8.GetString(read.Value));
        Assert.NotNull(read.ExpirationOf(0));
    }

    [Fact]
    public async Task ConsistencyIsPerConnection()
    {
        await using var socket = await Silo.OpenSocketAsync();
        await using var other = await Silo.OpenSocketAsync();
        Assert.Equal(new object?[] { "n", "default", "r", "default", "w", "default", "mode", "default", "level", "default" }, await socket.CallAsync("GRAINKV.CONSISTENCY"));

        // N = 3 with W = ALL cannot be met by this one-node cluster: the connection's writes fail, another connection's do not.
        Assert.Equal("OK", await socket.CallAsync("GRAINKV.CONSISTENCY", "N", "3", "W", "ALL", "R", "ONE", "MODE", "strict"));
        Assert.Equal(new object?[] { "n", "3", "r", "ONE", "w", "ALL", "mode", "strict", "level", "default" }, await socket.CallAsync("GRAINKV.CONSISTENCY"));
        Assert.StartsWith("-ERR", (string?)await socket.CallAsync("SET", "cons:k", "v"));
        Assert.False((await Silo.Client.GetAsync("cons:k")).Found);
        Assert.Equal("OK", await other.CallAsync("SET", "cons:k", "v"));
        Assert.Equal("v", await socket.CallAsync("GET", "cons:k")); // R = ONE of N = 3 is met by the one node

        // A refused setting changes nothing.
        Assert.StartsWith("-ERR The quorum (5) must be between 1 and N (3)", (string?)await socket.CallAsync("GRAINKV.CONSISTENCY", "W", "5"));
        Assert.StartsWith("-ERR", (string?)await socket.CallAsync("GRAINKV.CONSISTENCY", "MODE", "eventual"));
        Assert.StartsWith("-ERR", (string?)await socket.CallAsync("GRAINKV.CONSISTENCY", "N", "0"));
        Assert.StartsWith("-ERR unknown consistency setting", (string?)await socket.CallAsync("GRAINKV.CONSISTENCY", "Q", "1"));
        Assert.Equal("-ERR syntax error", await socket.CallAsync("GRAINKV.CONSISTENCY", "N"));
        Assert.Equal(new object?[] { "n", "3", "r", "ONE", "w", "ALL", "mode", "strict", "level", "default" }, await socket.CallAsync("GRAINKV.CONSISTENCY"));

        // A level replaces the explicit counts, and an explicit count replaces the level.
        Assert.Equal("OK", await socket.CallAsync("GRAINKV.CONSISTENCY", "LEVEL", "local_quorum"));
        Assert.Equal(new object?[] { "n", "3", "r", "default", "w", "default", "mode", "strict", "level", "LOCAL_QUORUM" }, await socket.CallAsync("GRAINKV.CONSISTENCY"));
        Assert.StartsWith("-ERR LEVEL must be", (string?)await socket.CallAsync("GRAINKV.CONSISTENCY", "LEVEL", "most"));
        Assert.Equal("OK", await socket.CallAsync("GRAINKV.CONSISTENCY", "R", "ONE"));
        Assert.Equal(new object?[] { "n", "3", "r", "ONE", "w", "default", "mode", "strict", "level", "default" }, await socket.CallAsync("GRAINKV.CONSISTENCY"));
        Assert.Equal("OK", await socket.CallAsync("GRAINKV.CONSISTENCY", "LEVEL", "ONE", "N", "DEFAULT"));
        Assert.Equal("v", await socket.CallAsync("GET", "cons:k"));
        Assert.Equal("OK", await socket.CallAsync("GRAINKV.CONSISTENCY", "LEVEL", "DEFAULT"));

        Assert.Equal("OK", await socket.CallAsync("GRAINKV.CONSISTENCY", "N", "DEFAULT"));
        Assert.Equal("OK", await socket.CallAsync("SET", "cons:k", "w"));
        Assert.Equal("OK", await socket.CallAsync("GRAINKV.CONSISTENCY", "DEFAULT"));
        Assert.Equal(new object?[] { "n", "default", "r", "default", "w", "default", "mode", "default", "level", "default" }, await socket.CallAsync("GRAINKV.CONSISTENCY"));
        Assert.Single((await Silo.Client.GetAsync("cons:k")).Values);
    }
}
