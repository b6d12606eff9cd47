// The connection options: accepted before or after the command, bound with the GRAINKV_* environment variables,
// validated before any connection is made.

extern alias grainkv;

using grainkv::GrainKV.Cli;

namespace GrainKV.Tests.CliTool.CommandLine;

public sealed class ConnectionOptionsTests
{
    [Fact]
    public void DefaultsAreTheClientsDefaults()
    {
        var cli = new CliHarness();
        var options = cli.CommandLine.Connection.Bind(cli.Parse("status"));
        Assert.Equal(["localhost:30000"], options.Gateways);
        Assert.Equal(("grainkv", "grainkv", 10240), (options.ClusterId, options.ServiceId, options.MaxEntrySize));
        Assert.False(options.Tls.Enabled);
    }

    [Fact]
    public void EveryConnectionOptionBindsBeforeOrAfterTheCommand()
    {
        var cli = new CliHarness();
        string[] connection = ["--gateway", "a:1", "--gateway", "b:2", "--cluster-id", "c", "--service-id", "s", "--max-entry-size", "100"];
        foreach (string[] args in new string[][] { [.. connection, "get", "k"], ["get", "k", .. connection], ["node", "remove", "n1", .. connection] })
        {
            var options = cli.CommandLine.Connection.Bind(cli.Parse(args));
            Assert.Equal(["a:1", "b:2"], options.Gateways);
            Assert.Equal(("c", "s", 100), (options.ClusterId, options.ServiceId, options.MaxEntrySize));
        }
    }

    [Fact]
    public void GatewaysComeFromTheEnvironmentUnlessGiven()
    {
        var cli = new CliHarness(new Dictionary<string, string> { ["GRAINKV_GATEWAY"] = "x:1, y:2," });
        Assert.Equal(["x:1", "y:2"], cli.CommandLine.Connection.Bind(cli.Parse("status")).Gateways);
        Assert.Equal(["z:3"], cli.CommandLine.Connection.Bind(cli.Parse("--gateway", "z:3", "status")).Gateways);
    }

    [Theory]
    [InlineData("--tls-dir")]
    [InlineData("--tls-cert")]
    [InlineData("--tls-key")]
    [InlineData("--tls-ca")]
    public void AnyTlsOptionTurnsTlsOn(string option)
    {
        var cli = new CliHarness(new Dictionary<string, string> { ["GRAINKV_TLS_PASSWORD"] = "secret" });
        var args = option switch
        {
            "--tls-dir" => new[] { option, "/certs", "status" },
            "--tls-cert" => [option, "/x.pem", "status"],
            _ => ["--tls-cert", "/c.pem", option, "/x.pem", "status"],
        };
        var tls = cli.CommandLine.Connection.Bind(cli.Parse(args)).Tls;
        Assert.True(tls.Enabled);
        Assert.Equal("secret", tls.CertificatePassword);
        switch (option)
        {
            case "--tls-dir": Assert.Equal("/certs", tls.CertificateDirectory); break;
            case "--tls-cert": Assert.Equal("/x.pem", tls.CertificatePath); break;
            case "--tls-key": Assert.Equal("/x.pem", tls.KeyPath); break;
            default: Assert.Equal("/x.pem", tls.CaCertificatePath); break;
        }
    }

    [Fact]
    public void TlsComesFromTheEnvironmentUnlessAnOptionGivesIt()
    {
        var environment = new Dictionary<string, string> { ["GRAINKV_TLS_DIR"] = "/env-certs" };
        var cli = new CliHarness(environment);
        var tls = cli.CommandLine.Connection.Bind(cli.Parse("status")).Tls;
        Assert.Equal((true, "/env-certs", null), (tls.Enabled, tls.CertificateDirectory, tls.CertificatePassword));
        Assert.Null(cli.CommandLine.Connection.Bind(cli.Parse("--tls-cert", "/c.pfx", "status")).Tls.CertificateDirectory);

        var plain = new CliHarness(new Dictionary<string, string> { ["GRAINKV_TLS_PASSWORD"] = "secret" });
        var off = plain.CommandLine.Connection.Bind(plain.Parse("status")).Tls;
        Assert.Equal((false, null), (off.Enabled, off.CertificatePassword));
    }

    [Theory]
    [InlineData("nohost")]
    [InlineData("host:notaport")]
    public void AnInvalidGatewayIsAUsageError(string gateway)
    {
        var cli = new CliHarness();
        var error = Assert.Throws<UsageException>(() => cli.CommandLine.Connection.Bind(cli.Parse("--gateway", gateway, "status")));
        Assert.Contains(gateway, error.Message, StringComparison.Ordinal);
    }
}
