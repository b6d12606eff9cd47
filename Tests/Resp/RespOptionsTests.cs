// RespOptions are validated at start-up: each bad setting is named in the failure.

using GrainKV.Grains.Resp;

namespace GrainKV.Tests.Resp;

public sealed class RespOptionsTests
{
    [Fact]
    public void DefaultsAreValidAndOff()
    {
        var options = new RespOptions();
        Assert.False(options.Enabled);
        Assert.Equal(6379, options.Port);
        Assert.True(new RespOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("Port", "GrainKV:Resp:Port")]
    [InlineData("ListenAddress", "GrainKV:Resp:ListenAddress")]
    [InlineData("Password", "GrainKV:Resp:Password")]
    [InlineData("MaxConnections", "GrainKV:Resp:MaxConnections")]
    [InlineData("MaxBulkLength", "GrainKV:Resp:MaxBulkLength")]
    [InlineData("MaxArguments", "GrainKV:Resp:MaxArguments")]
    public void EachBadSettingIsNamed(string setting, string named)
    {
        var options = new RespOptions();
        switch (setting)
        {
            case "Port": options.Port = 70000; break;
            case "ListenAddress": options.ListenAddress = "localhost:1"; break;
            case "Password": options.Password = "two\nlines"; break;
            case "MaxConnections": options.MaxConnections = 0; break;
            case "MaxBulkLength": options.MaxBulkLength = 0; break;
            default: options.MaxArguments = 2; break;
        }

        var result = new RespOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage);
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
