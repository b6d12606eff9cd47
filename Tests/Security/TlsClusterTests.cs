// TLS end to end, with real silo processes and Redis membership: certificates are made by the test (a cluster
// authority, certificates it issues, and strangers). Silos run mutually authenticated TLS; a client holding a
// certificate of the cluster's authority works; a client without a certificate, with a self-signed one, or with
// one from another authority is refused (ClusterUnavailableException, within the connect timeout); a silo
// without the cluster's certificate fails to start and never becomes an active member of the cluster.

using System.Text.RegularExpressions;
using GrainKV.Client;
using GrainKV.Security;
using GrainKV.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace GrainKV.Tests.Security;

[Collection(nameof(EndToEnd.ClusterCrashTests))]   // real processes: never beside the other process tests on a 2-core machine
[Trait("Category", "Crash")]
public sealed class TlsClusterTests(TlsClusterTests.Fixture cluster, ITestOutputHelper output) : IClassFixture<TlsClusterTests.Fixture>
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefusalBound = TimeSpan.FromSeconds(60);   // a refused client fails within this
    private static readonly TimeSpan OperationBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AClientWithACertificateOfTheClusterAuthorityReadsAndWrites()
    {
        await using var client = await GrainKvClient.ConnectAsync(cluster.ClientOptions(cluster.ClientDirectory));
        foreach (var gateway in cluster.Silos.Gateways)
        {
            var options = cluster.ClientOptions(cluster.ClientDirectory);
            options.Gateways = [gateway];
            await using var single = await GrainKvClient.ConnectAsync(options);
            var key = $"through-{gateway}";
            await single.PutAsync(key, "tls").WaitAsync(OperationBound);
            Assert.Equal(["tls"], (await client.GetAsync(key).WaitAsync(OperationBound)).Values.Select(v => System.Text.Encoding.UTF8.GetString(v)));
        }

        var status = await client.GetStatusAsync().WaitAsync(OperationBound);
        Assert.Equal(Fixture.Nodes, status.Nodes.Count(n => n.IsLive));
    }

    [Fact]
    public async Task AClientWithoutACertificateIsRefused()
    {
        var options = cluster.ClientOptions(directory: null);
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => GrainKvClient.ConnectAsync(options).WaitAsync(RefusalBound));
        output.WriteLine(error.Message);
    }

    [Fact]
    public async Task AClientWithADifferentSelfSignedCertificateIsRefused()
    {
        using var stranger = TestCertificates.SelfSigned("grainkv-client");
        var directory = TestCertificates.WriteDirectory(Path.Combine(cluster.Root, "self-signed"), stranger, authority: null);
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(
            () => GrainKvClient.ConnectAsync(cluster.ClientOptions(directory)).WaitAsync(RefusalBound));
        output.WriteLine(error.Message);
        Assert.Contains("certificate was refused", error.Message, StringComparison.Ordinal);   // the client refuses the gateway too
    }

    [Fact]
    public async Task AClientThatTrustsTheClusterButHoldsACertificateOfAnotherAuthorityIsRefusedByTheGateway()
    {
        // The client accepts the gateways' certificates; only the gateways' check of the client's certificate stands
        // between it and the grains.
        using var rogueAuthority = TestCertificates.CreateAuthority("grainkv-ca");
        using var rogue = TestCertificates.Issue(rogueAuthority, "grainkv-client");
        var directory = TestCertificates.WriteDirectory(Path.Combine(cluster.Root, "rogue-client"), rogue, authority: null);
        var options = cluster.ClientOptions(directory);
        options.Tls.CaCertificatePath = cluster.AuthorityPath;
        options.Tls.CertificatePath = Path.Combine(directory, ClusterTlsOptions.CertificateFileName);
        options.Tls.KeyPath = Path.Combine(directory, ClusterTlsOptions.KeyFileName);

        // Loading checks that the client's own certificate chains to the authority it trusts: a rogue certificate
        // beside the real authority is refused before any connection.
        await Assert.ThrowsAsync<TlsConfigurationException>(() => GrainKvClient.ConnectAsync(options));

        // Trusting both authorities, the client gets past its own check; the gateways refuse it.
        var both = Path.Combine(cluster.Root, "both-authorities.crt");
        await File.WriteAllTextAsync(both, cluster.Authority.ExportCertificatePem() + "\n" + rogueAuthority.ExportCertificatePem());
        options.Tls.CaCertificatePath = both;
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => GrainKvClient.ConnectAsync(options).WaitAsync(RefusalBound));
        output.WriteLine(error.Message);
    }

    [Theory]
    [InlineData("no-tls")]
    [InlineData("self-signed")]
    [InlineData("other-authority")]
    public async Task ASiloWithoutTheClusterCertificateCannotJoin(string credentials)
    {
        var name = $"intruder-{credentials}";
        var arguments = new List<string>
        {
            "--GrainKV:Clustering=Redis",
            $"--GrainKV:RedisConnectionString={cluster.Redis.ConnectionString}",
            "--Orleans:ClusterMembership:MaxJoinAttemptTime=00:00:15",
        };
        using var rogueAuthority = TestCertificates.CreateAuthority("grainkv-ca");
        using var certificate = credentials switch
        {
            "no-tls" => null,
            "self-signed" => TestCertificates.SelfSigned("grainkv-silo"),
            _ => TestCertificates.Issue(rogueAuthority, "grainkv-silo"),
        };
        if (certificate is not null)
        {
            // It trusts the cluster's authority (and, with a certificate of another one, that one too): only the
            // cluster's own silos can keep it out.
            var directory = TestCertificates.WriteDirectory(Path.Combine(cluster.Root, name, "tls"), certificate, authority: null);
            var trusted = Path.Combine(directory, "trusted.crt");
            await File.WriteAllTextAsync(trusted, cluster.Authority.ExportCertificatePem() + "\n" + (credentials == "self-signed" ? certificate : rogueAuthority).ExportCertificatePem());
            arguments.AddRange(["--GrainKV:Tls:Enabled=true", $"--GrainKV:Tls:CertificateDirectory={directory}", $"--GrainKV:Tls:CaCertificatePath={trusted}"]);
        }

        var data = Path.Combine(cluster.Root, name, "data");
        Directory.CreateDirectory(data);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data, name, null, null, arguments));
        foreach (var line in failure.Message.Split('\n').Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).TakeLast(3))
        {
            output.WriteLine(line.Length > 600 ? line[..600] : line);
        }


        // Either it gives up its connectivity check (MaxJoinAttemptTime), or the cluster's silos, unable to reach it,
        // declare it dead first and it stops itself.
        Assert.True(
            failure.Message.Contains("grainkv-silo: could not join the cluster", StringComparison.Ordinal)
            || failure.Message.Contains("I have been told I am dead", StringComparison.Ordinal),
            "The silo exited for another reason than being kept out of the cluster.");

        if (certificate is not null)
        {
            // The cluster's silos say whom they refused, and why.
            Assert.Contains(
                Enumerable.Range(0, Fixture.Nodes).Select(cluster.Silos.OutputOf),
                log => log.Contains("TLS: a connection was refused", StringComparison.Ordinal) && log.Contains(certificate.Thumbprint, StringComparison.Ordinal));
        }

        // The membership table never shows it active, and it never enters the ring (a node joins the ring record only
        // once it is active).
        Assert.DoesNotContain(await cluster.MembershipStatusesAsync(name), status => status == "Active" || status == "3");
        await using var client = await GrainKvClient.ConnectAsync(cluster.ClientOptions(cluster.ClientDirectory));
        var status = await client.GetStatusAsync().WaitAsync(OperationBound);
        Assert.DoesNotContain(status.Nodes, n => n.NodeId == name);
        Assert.Equal(Fixture.Nodes, status.Nodes.Count(n => n.IsLive));
    }

    /// <summary>A Redis server and <see cref="Nodes"/> silos with TLS on, certificates issued by a test authority.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public const int Nodes = 2;

        private readonly TempDirectory _root = new();

        public string Root => _root.Path;

        public System.Security.Cryptography.X509Certificates.X509Certificate2 Authority { get; } = TestCertificates.CreateAuthority("grainkv-ca");

        public string AuthorityPath => Path.Combine(Root, "silo", ClusterTlsOptions.CaFileName);

        public string ClientDirectory => Path.Combine(Root, "client");

        public RedisServer Redis { get; private set; } = null!;

        public SiloProcessCluster Silos { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            using (var silo = TestCertificates.Issue(Authority, "grainkv-silo"))
            using (var client = TestCertificates.Issue(Authority, "grainkv-client"))
            {
                TestCertificates.WriteDirectory(Path.Combine(Root, "silo"), silo, Authority);
                TestCertificates.WriteDirectory(ClientDirectory, client, Authority);
            }

            Redis = await RedisServer.StartAsync();
            Silos = await SiloProcessCluster.StartWithRedisAsync(
                Nodes,
                [
                    "--GrainKV:ReplicationFactor=2", "--GrainKV:WriteQuorum=2", "--GrainKV:ReadQuorum=2",
                    "--GrainKV:Tls:Enabled=true", $"--GrainKV:Tls:CertificateDirectory={Path.Combine(Root, "silo")}",
                ],
                Redis.ConnectionString);
        }

        /// <summary>Client options for the cluster's gateways, with TLS from <paramref name="directory"/> (null: TLS off).</summary>
        public GrainKvClientOptions ClientOptions(string? directory) => new()
        {
            Gateways = Silos.Gateways,
            ConnectTimeout = ConnectTimeout,
            Tls = new ClusterTlsOptions { Enabled = directory is not null, CertificateDirectory = directory },
        };

        /// <summary>The Status field of every membership-table entry (in Redis) of the silo named <paramref name="siloName"/>.</summary>
        public async Task<List<string>> MembershipStatusesAsync(string siloName)
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
            var server = connection.GetServers()[0];
            var statuses = new List<string>();
            var entries = 0;
            await foreach (var key in server.KeysAsync())
            {
                if (await connection.GetDatabase().KeyTypeAsync(key) != RedisType.Hash)
                {
                    continue;
                }

                foreach (var field in await connection.GetDatabase().HashGetAllAsync(key))
                {
                    var json = field.Value.ToString();
                    entries += json.Contains("\"SiloName\"", StringComparison.Ordinal) ? 1 : 0;
                    if (json.Contains($"\"SiloName\":\"{siloName}\"", StringComparison.Ordinal))
                    {
                        statuses.Add(Regex.Match(json, "\"Status\":\"?(\\w+)").Groups[1].Value);
                    }
                }
            }

            Assert.True(entries >= Nodes, $"The membership table in Redis holds {entries} entries; expected at least the {Nodes} silos'.");
            return statuses;
        }

        public async Task DisposeAsync()
        {
            if (Silos is not null)
            {
                await Silos.DisposeAsync();
            }

            if (Redis is not null)
            {
                await Redis.DisposeAsync();
            }

            Authority.Dispose();
            _root.Dispose();
        }
    }
}
