// The real redis-cli against the gateway: one-shot commands, commands read from standard input (what a
// user types), RESP3 (-3), --pipe mass insertion, COMMAND DOCS (what interactive redis-cli asks for hints),
// and AUTH with -a.

namespace GrainKV.Tests.Resp;

[Collection(OpenGatewayFixture.Collection)]
public sealed class RedisCliTests(OpenGatewayFixture fixture)
{
    private int Port => fixture.Silo.Port;

    [Fact]
    public async Task CommandsFromTheCommandLine()
    {
        Assert.Equal((0, "PONG\n"), await RedisCli.RunAsync(Port, null, "PING"));
        Assert.Equal((0, "OK\n"), await RedisCli.RunAsync(Port, null, "SET", "cli:k", "hello world"));
        Assert.Equal((0, "hello world\n"), await RedisCli.RunAsync(Port, null, "GET", "cli:k"));
        Assert.Equal((0, "OK\n"), await RedisCli.RunAsync(Port, null, "MSET", "cli:a", "1", "cli:b", "2"));
        Assert.Equal((0, "1\n2\n\n"), await RedisCli.RunAsync(Port, null, "MGET", "cli:a", "cli:b", "cli:none"));
        Assert.Equal((0, "2\n"), await RedisCli.RunAsync(Port, null, "EXISTS", "cli:a", "cli:b"));
        Assert.Equal((0, "2\n"), await RedisCli.RunAsync(Port, null, "DEL", "cli:a", "cli:b", "cli:none"));
        Assert.Equal((0, "0\n"), await RedisCli.RunAsync(Port, null, "EXISTS", "cli:a"));
        var (_, getAll) = await RedisCli.RunAsync(Port, null, "GRAINKV.GETALL", "cli:k");
        Assert.StartsWith("hello world\n", getAll);
        var (_, ttl) = await RedisCli.RunAsync(Port, null, "SET", "cli:t", "v", "EX", "0");
        Assert.Contains("ERR invalid expire time in 'set' command", ttl);
        Assert.Equal((0, "0\n"), await RedisCli.RunAsync(Port, null, "EXISTS", "cli:t"));
    }

    [Fact]
    public async Task TimeToLiveCommands()
    {
        var clock = fixture.Silo.Expiry;
        Assert.Equal((0, "OK\n"), await RedisCli.RunAsync(Port, null, "SET", "cli:ttl", "v", "EX", "100"));
        Assert.Equal((0, "100\n"), await RedisCli.RunAsync(Port, null, "TTL", "cli:ttl"));
        Assert.Equal((0, "100000\n"), await RedisCli.RunAsync(Port, null, "PTTL", "cli:ttl"));
        Assert.Equal((0, "1\n"), await RedisCli.RunAsync(Port, null, "PERSIST", "cli:ttl"));
        Assert.Equal((0, "-1\n"), await RedisCli.RunAsync(Port, null, "TTL", "cli:ttl"));
        Assert.Equal((0, "0\n"), await RedisCli.RunAsync(Port, null, "PERSIST", "cli:ttl"));
        Assert.Equal((0, "1\n"), await RedisCli.RunAsync(Port, null, "EXPIRE", "cli:ttl", "20"));
        Assert.Equal((0, "20\n"), await RedisCli.RunAsync(Port, null, "TTL", "cli:ttl"));
        Assert.Equal((0, "OK\n"), await RedisCli.RunAsync(Port, null, "SETEX", "cli:setex", "30", "w"));
        Assert.Equal((0, "OK\n"), await RedisCli.RunAsync(Port, null, "PSETEX", "cli:psetex", "1500", "p"));
        Assert.Equal((0, "1500\n"), await RedisCli.RunAsync(Port, null, "PTTL", "cli:psetex"));
        Assert.Equal((0, "-2\n"), await RedisCli.RunAsync(Port, null, "TTL", "cli:nothing"));
        Assert.Equal((0, "0\n"), await RedisCli.RunAsync(Port, null, "EXPIRE", "cli:nothing", "20"));

        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal((0, "\n"), await RedisCli.RunAsync(Port, null, "GET", "cli:ttl"));
        Assert.Equal((0, "-2\n"), await RedisCli.RunAsync(Port, null, "TTL", "cli:ttl"));
        Assert.Equal((0, "w\n"), await RedisCli.RunAsync(Port, null, "GET", "cli:setex"));
        Assert.Equal((0, "10\n"), await RedisCli.RunAsync(Port, null, "TTL", "cli:setex"));
        Assert.Equal((0, "0\n"), await RedisCli.RunAsync(Port, null, "EXISTS", "cli:psetex", "cli:ttl"));
        Assert.Equal((0, "1\n"), await RedisCli.RunAsync(Port, null, "PEXPIRE", "cli:setex", "2500", "LT"));
        Assert.Equal((0, "3\n"), await RedisCli.RunAsync(Port, null, "TTL", "cli:setex"));
    }

    [Fact]
    public async Task ConsistencyOfOneSession()
    {
        // One redis-cli session (commands on standard input share one connection): its settings last, then reset.
        var (code, output) = await RedisCli.RunAsync(
            Port, "GRAINKV.CONSISTENCY R ALL W 1 MODE STRICT\nGRAINKV.CONSISTENCY\nSET cli:cons v\nGET cli:cons\nGRAINKV.CONSISTENCY W 9\nGRAINKV.CONSISTENCY DEFAULT\nGRAINKV.CONSISTENCY\n");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries); // redis-cli follows an error with an empty line
        Assert.Equal("OK", lines[0]);
        Assert.Equal(["n", "default", "r", "ALL", "w", "1", "mode", "strict", "level", "default"], lines[1..11]);
        Assert.Equal(["OK", "v"], lines[11..13]);
        Assert.StartsWith("ERR The quorum (9) must be between 1 and N", lines[13]);
        Assert.Equal("OK", lines[14]);
        Assert.Equal(["n", "default", "r", "default", "w", "default", "mode", "default", "level", "default"], lines[15..25]);
    }

    [Fact]
    public async Task CommandsTypedOnStandardInputAndResp3()
    {
        var (code, output) = await RedisCli.RunAsync(Port, "SET cli:in \"two words\"\nGET cli:in\nSELECT 0\nPING\nGET cli:missing\n");
        Assert.Equal(0, code);
        Assert.Equal("OK\ntwo words\nOK\nPONG\n\n", output);

        (code, output) = await RedisCli.RunAsync(Port, null, "-3", "HELLO", "3");
        Assert.Equal(0, code);
        Assert.Contains("proto 3\n", output);
        Assert.Equal((0, "two words\n"), await RedisCli.RunAsync(Port, null, "-3", "GET", "cli:in"));
    }

    [Fact]
    public async Task PipeModeAndCommandDocs()
    {
        var frames = string.Concat(Enumerable.Range(0, 100).Select(i => $"SET cli:pipe:{i} v{i}\r\n"));
        var (code, output) = await RedisCli.RunAsync(Port, frames, "--pipe");
        Assert.Equal(0, code);
        Assert.Contains("errors: 0, replies: 100", output);
        Assert.Equal((0, "v99\n"), await RedisCli.RunAsync(Port, null, "GET", "cli:pipe:99"));

        (code, output) = await RedisCli.RunAsync(Port, null, "COMMAND", "DOCS", "set");
        Assert.Equal(0, code);
        Assert.StartsWith("set\nsummary\n", output);
        Assert.Contains("ERR unknown command 'LPUSH'", (await RedisCli.RunAsync(Port, null, "LPUSH", "cli:l", "x")).Output);
    }
}

public sealed class RedisCliAuthTests(PasswordGatewayFixture fixture) : IClassFixture<PasswordGatewayFixture>
{
    private int Port => fixture.Silo.Port;

    [Fact]
    public async Task PasswordWithDashA()
    {
        Assert.Contains("NOAUTH Authentication required.", (await RedisCli.RunAsync(Port, null, "SET", "cli:auth", "v")).Output);
        Assert.Equal((0, "OK\n"), await RedisCli.RunAsync(Port, null, "-a", PasswordGatewayFixture.Password, "--no-auth-warning", "SET", "cli:auth", "v"));
        Assert.Equal((0, "v\n"), await RedisCli.RunAsync(Port, null, "-a", PasswordGatewayFixture.Password, "--no-auth-warning", "-3", "GET", "cli:auth"));
        Assert.Contains("WRONGPASS", (await RedisCli.RunAsync(Port, null, "-a", "wrong", "--no-auth-warning", "GET", "cli:auth")).Output);
    }
}
