// AUTH on: before AUTH every command but AUTH, HELLO ... AUTH and QUIT is refused with -NOAUTH; a wrong
// password gets -WRONGPASS. (AUTH off is covered by RespCommandTests: every command works without AUTH.)

using StackExchange.Redis;

namespace GrainKV.Tests.Resp;

public sealed class RespAuthTests(PasswordGatewayFixture fixture) : IClassFixture<PasswordGatewayFixture>
{
    private RespSilo Silo => fixture.Silo;

    [Fact]
    public async Task CommandsBeforeAuthAreRefusedAndNothingIsStored()
    {
        await using var socket = await Silo.OpenSocketAsync();
        foreach (var command in new object[][] { ["PING"], ["SET", "auth:k", "v"], ["GET", "auth:k"], ["INFO"], ["NOSUCHCOMMAND"], ["HELLO", "3"] })
        {
            Assert.StartsWith("-NOAUTH ", (string?)await socket.CallAsync(command));
        }

        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await socket.CallAsync("AUTH", "wrong"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await socket.CallAsync("AUTH", "someone", PasswordGatewayFixture.Password));
        Assert.StartsWith("-NOAUTH ", (string?)await socket.CallAsync("SET", "auth:k", "v"));
        Assert.False((await Silo.Client.GetAsync("auth:k")).Found);

        Assert.Equal("OK", await socket.CallAsync("AUTH", PasswordGatewayFixture.Password));
        Assert.Equal("OK", await socket.CallAsync("SET", "auth:k", "v"));
        Assert.Equal("v", await socket.CallAsync("GET", "auth:k"));
        Assert.Equal("OK", await socket.CallAsync("QUIT"));
    }

    [Fact]
    public async Task FramesBeforeAuthAreKeptSmall()
    {
        await using var socket = await Silo.OpenSocketAsync();
        var pairs = Enumerable.Range(0, 5).SelectMany(i => new object[] { $"auth:small:{i}", "v" }).ToArray();
        Assert.Equal("-ERR too many arguments (11); at most 10 per command", await socket.CallAsync(["MSET", .. pairs]));
        Assert.Equal("OK", await socket.CallAsync("AUTH", PasswordGatewayFixture.Password));
        Assert.Equal("OK", await socket.CallAsync(["MSET", .. pairs]));
        Assert.Equal("v", await socket.CallAsync("GET", "auth:small:4"));
    }

    [Fact]
    public async Task HelloWithAuthAuthenticates()
    {
        await using var socket = await Silo.OpenSocketAsync();
        Assert.StartsWith("-WRONGPASS", (string?)await socket.CallAsync("HELLO", "3", "AUTH", "default", "nope"));
        var hello = (object?[])(await socket.CallAsync("HELLO", "3", "AUTH", "default", PasswordGatewayFixture.Password, "SETNAME", "h3"))!;
        Assert.Equal(3L, hello[Array.IndexOf(hello, "proto") + 1]);
        Assert.Equal("h3", await socket.CallAsync("CLIENT", "GETNAME"));
    }

    [Fact]
    public async Task StackExchangeRedisWithAndWithoutThePassword()
    {
        await using (var redis = await Silo.ConnectAsync(o => o.Password = PasswordGatewayFixture.Password))
        {
            var db = redis.GetDatabase();
            await db.StringSetAsync("auth:se", "v");
            Assert.Equal("v", (string?)await db.StringGetAsync("auth:se"));
        }

        await using (var redis = await Silo.ConnectAsync(o => (o.Password, o.Protocol) = (PasswordGatewayFixture.Password, RedisProtocol.Resp3)))
        {
            Assert.Equal("v", (string?)await redis.GetDatabase().StringGetAsync("auth:se"));
        }

        var refused = await Record.ExceptionAsync(async () =>
        {
            await using var redis = await Silo.ConnectAsync(o => o.Password = "wrong");
            await redis.GetDatabase().StringSetAsync("auth:wrong", "v");
        });
        Assert.NotNull(refused);
        Assert.False((await Silo.Client.GetAsync("auth:wrong")).Found);
    }
}
