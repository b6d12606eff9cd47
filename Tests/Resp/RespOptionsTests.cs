// RespOptions are validated at start-up: the defaults are valid, and each rule refuses its bad values and names the setting.

using GrainKV.Grains.Resp;

namespace GrainKV.Tests.Resp;

public sealed class RespOptionsTests
{
    private static readonly Dictionary<string, (Action<RespOptions> Change, string Named)> Bad = new()
    {
        ["negative port"] = (o => o.Port = -1, "RespOptions.Port"),
        ["port above 65535"] = (o => o.Port = 70000, "RespOptions.Port"),
        ["host and port as address"] = (o => o.ListenAddress = "localhost:1", "GrainKV:Resp:ListenAddress 'localhost:1'"),
        ["empty password"] = (o => o.Password = "", "RespOptions.Password"),
        ["two-line password"] = (o => o.Password = "two\nlines", "RespOptions.Password must be a single line"),
        ["password ending in a newline"] = (o => o.Password = "secret\n", "RespOptions.Password must be a single line"),
        ["no connections"] = (o => o.MaxConnections = 0, "RespOptions.MaxConnections"),
        ["zero bulk length"] = (o => o.MaxBulkLength = 0, "RespOptions.MaxBulkLength"),
        ["bulk length above the protocol's"] = (o => o.MaxBulkLength = RespFrameParser.MaxProtocolBulkLength + 1, "RespOptions.MaxBulkLength"),
        ["two arguments"] = (o => o.MaxArguments = 2, "RespOptions.MaxArguments"),
        ["arguments above the protocol's"] = (o => o.MaxArguments = RespFrameParser.MaxProtocolArguments + 1, "RespOptions.MaxArguments"),
    };

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    [Fact]
    public void DefaultsAreValidAndOff()
    {
        var options = new RespOptions();
        Assert.False(options.Enabled);
        Assert.Equal(6379, options.Port);
        Assert.True(new RespOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(new RespOptionsValidator().Validate(null, new RespOptions { Port = 0, ListenAddress = "any", Password = "s3cret", MaxBulkLength = 1, MaxArguments = 3 }).Succeeded);
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void EachBadSettingIsNamed(string name)
    {
        var (change, named) = Bad[name];
        var options = new RespOptions();
        change(options);
        var result = new RespOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADisabledGatewayListensOnNothing()
    {
        await using var silo = await RespSilo.StartAsync(o => o.Enabled = false);
        Assert.True(Infrastructure.LocalPorts.IsFree(silo.Port));
        Assert.Equal(0, silo.Gateway.Port);
    }

    [Fact]
    public async Task ASiloWhosePortIsTakenDoesNotStart()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var failure = await Record.ExceptionAsync(async () => await (await RespSilo.StartAsync(o => o.Port = port, portOverride: true)).DisposeAsync());
        Assert.NotNull(failure);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", failure.ToString());
    }
}
