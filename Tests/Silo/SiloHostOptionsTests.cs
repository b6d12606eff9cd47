// The silo host's own settings (ports, clustering, hosting): the defaults are valid, and each rule refuses its bad
// values and names the setting, before the host is built.

using GrainKV.Silo;
using Microsoft.Extensions.Options;

namespace GrainKV.Tests.Silo;

public sealed class SiloHostOptionsTests
{
    private static readonly Dictionary<string, (Action<SiloHostOptions> Change, string Named)> Bad = new()
    {
        ["silo port 0"] = (o => o.SiloPort = 0, "SiloHostOptions.SiloPort"),
        ["gateway port above 65535"] = (o => o.GatewayPort = 65536, "SiloHostOptions.GatewayPort"),
        ["primary silo port 0"] = (o => o.PrimarySiloPort = 0, "SiloHostOptions.PrimarySiloPort"),
        ["same silo and gateway port"] = (o => o.GatewayPort = o.SiloPort, "GrainKV:SiloPort and GrainKV:GatewayPort must differ"),
        ["blank cluster id"] = (o => o.ClusterId = " ", "SiloHostOptions.ClusterId"),
        ["empty service id"] = (o => o.ServiceId = "", "SiloHostOptions.ServiceId"),
        ["undefined clustering"] = (o => o.Clustering = (ClusteringMode)7, "SiloHostOptions.Clustering must be Localhost or Redis"),
        ["undefined hosting"] = (o => (o.Clustering, o.RedisConnectionString, o.Hosting) = (ClusteringMode.Redis, "localhost:6379", (HostingMode)7), "SiloHostOptions.Hosting must be Process or Kubernetes"),
        ["Kubernetes without Redis"] = (o => o.Hosting = HostingMode.Kubernetes, "GrainKV:Hosting=Kubernetes needs GrainKV:Clustering=Redis"),
        ["Redis without a connection string"] = (o => o.Clustering = ClusteringMode.Redis, "GrainKV:Clustering=Redis needs GrainKV:RedisConnectionString"),
        ["Redis with a primary silo"] = (o => (o.Clustering, o.RedisConnectionString, o.PrimarySiloPort) = (ClusteringMode.Redis, "localhost:6379", 11111), "GrainKV:PrimarySiloPort applies to Localhost clustering only"),
        ["Localhost with an advertised address"] = (o => o.AdvertisedAddress = "10.0.0.1", "GrainKV:AdvertisedAddress applies to Redis clustering only"),
    };

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    [Fact]
    public void TheDefaultsAndAValidRedisSetupAreValid()
    {
        new SiloHostOptions().Validate();
        new SiloHostOptions { PrimarySiloPort = 11112, GatewayPort = 65535 }.Validate();
        new SiloHostOptions
        {
            Clustering = ClusteringMode.Redis,
            RedisConnectionString = "localhost:6379",
            AdvertisedAddress = "10.0.0.1",
            Hosting = HostingMode.Kubernetes,
        }.Validate();
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void EachRuleRefusesItsBadValueAndNamesTheSetting(string name)
    {
        var (change, named) = Bad[name];
        var options = new SiloHostOptions();
        change(options);
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
