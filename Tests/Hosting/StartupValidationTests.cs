// A silo whose configuration breaks a rule of any of its options (node, anti-entropy, streaming, gossip, RESP, HTTP)
// does not start: the host's start fails with one OptionsValidationException that names the setting, before any
// port is opened.

using GrainKV.Grains;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Http;
using GrainKV.Grains.Resp;
using GrainKV.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrainKV.Tests.Hosting;

public sealed class StartupValidationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("GrainKV:WriteQuorum", "4", "WriteQuorum (4) and ReadQuorum (2) <= ReplicationFactor (3)")]
    [InlineData("GrainKV:RangeCount", "1000", "GrainKvNodeOptions.RangeCount must be a power of two")]
    [InlineData("GrainKV:AntiEntropy:Leaves", "1", "GrainKvNodeOptions.AntiEntropy.Leaves")]
    [InlineData("GrainKV:Streaming:BatchBytes", "10", "GrainKvNodeOptions.Streaming.BatchBytes")]
    [InlineData("GrainKV:Gossip:Fanout", "0", "GossipOptions.Fanout")]
    [InlineData("GrainKV:Resp:Port", "70000", "RespOptions.Port")]
    [InlineData("GrainKV:Http:ListenAddress", "localhost:80", "GrainKV:Http:ListenAddress 'localhost:80'")]
    public async Task ASiloWithABadSettingFailsToStartNamingIt(string key, string value, string named)
    {
        var ports = LocalPorts.PickFree(2);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });   // no appsettings.json, no environment
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GrainKV:DataDirectory"] = _directory.Path,
            [key] = value,
        });
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(ports[0], ports[1]);
            silo.AddGrainKv(o => builder.Configuration.GetSection(GrainKvNodeOptions.SectionName).Bind(o));
            silo.AddGrainKvResp(o => builder.Configuration.GetSection(RespOptions.SectionName).Bind(o));
            silo.AddGrainKvHttp(o => builder.Configuration.GetSection(HttpEndpointOptions.SectionName).Bind(o));
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.True(LocalPorts.IsFree(ports[0]) && LocalPorts.IsFree(ports[1]));
    }
}
