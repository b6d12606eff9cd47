// Client options: the defaults are valid, and each rule (the TLS section's included) refuses its bad values and
// names the setting, before any connection is tried.

using GrainKV.Client;
using Microsoft.Extensions.Options;

namespace GrainKV.Tests.Client;

public sealed class GrainKvClientOptionsTests
{
    private static readonly Dictionary<string, (Action<GrainKvClientOptions> Change, string Named)> Bad = new()
    {
        ["no gateway"] = (o => o.Gateways = [], "GrainKvClientOptions.Gateways"),
        ["null gateways"] = (o => o.Gateways = null!, "GrainKvClientOptions.Gateways"),
        ["gateway without a port"] = (o => o.Gateways = ["localhost"], "Gateway 'localhost' is not of the form host:port"),
        ["gateway with port 0"] = (o => o.Gateways = ["localhost:30000", "localhost:0"], "Gateway 'localhost:0' is not of the form host:port"),
        ["blank cluster id"] = (o => o.ClusterId = " ", "GrainKvClientOptions.ClusterId"),
        ["empty service id"] = (o => o.ServiceId = "", "GrainKvClientOptions.ServiceId"),
        ["entry of one byte"] = (o => o.MaxEntrySize = 1, "GrainKvClientOptions.MaxEntrySize"),
        ["range count not a power of two"] = (o => o.RangeCount = 1000, "GrainKvClientOptions.RangeCount must be a power of two"),
        ["one range"] = (o => o.RangeCount = 1, "GrainKvClientOptions.RangeCount"),
        ["zero connect timeout"] = (o => o.ConnectTimeout = TimeSpan.Zero, "GrainKvClientOptions.ConnectTimeout"),
        ["no attempt"] = (o => o.Attempts = 0, "GrainKvClientOptions.Attempts"),
        ["zero read attempt timeout"] = (o => o.ReadAttemptTimeout = TimeSpan.Zero, "GrainKvClientOptions.ReadAttemptTimeout"),
        ["negative retry delay"] = (o => o.RetryDelay = TimeSpan.FromMilliseconds(-1), "GrainKvClientOptions.RetryDelay"),
        ["negative gateway pause"] = (o => o.GatewayPause = TimeSpan.FromMilliseconds(-1), "GrainKvClientOptions.GatewayPause"),
        ["TLS on without a certificate"] = (o => o.Tls.Enabled = true, "GrainKV:Tls:CertificatePath"),
        ["zero TLS handshake timeout"] = (o => o.Tls.HandshakeTimeout = TimeSpan.Zero, "GrainKvClientOptions.Tls.HandshakeTimeout"),
    };

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    [Fact]
    public void TheDefaultsAndTheBoundsAreValid()
    {
        new GrainKvClientOptions().Validate();
        new GrainKvClientOptions
        {
            Gateways = ["[::1]:1", "10.0.0.1:65535"],
            MaxEntrySize = 2,
            RangeCount = 2,
            Attempts = 1,
            RetryDelay = TimeSpan.Zero,
            GatewayPause = TimeSpan.Zero,
        }.Validate();
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void EachRuleRefusesItsBadValueAndNamesTheSetting(string name)
    {
        var (change, named) = Bad[name];
        var options = new GrainKvClientOptions();
        change(options);
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectingWithBadOptionsFailsBeforeAnyConnection()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => GrainKvClient.ConnectAsync(new GrainKvClientOptions { Gateways = ["nowhere"], Attempts = 0 }));
        Assert.Equal(2, error.Failures.Count());
    }
}
