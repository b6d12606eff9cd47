// A silo whose TLS settings cannot work refuses to start, naming the setting and the file, before it opens a port
// (real silo processes: the check is the host's own start-up validation).

using GrainKV.Security;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Security;

public sealed class SiloTlsStartupTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task TlsWithoutACertificateIsRefused()
    {
        var output = await StartFailureAsync("--GrainKV:Tls:Enabled=true");
        Assert.Contains("GrainKV:Tls:Enabled=true needs a certificate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingCertificateFileIsNamed()
    {
        var missing = Path.Combine(_directory.Path, "secrets");
        var output = await StartFailureAsync("--GrainKV:Tls:Enabled=true", $"--GrainKV:Tls:CertificateDirectory={missing}");
        Assert.Contains(Path.Combine(missing, ClusterTlsOptions.CertificateFileName), output, StringComparison.Ordinal);
        Assert.Contains("does not exist", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACertificateWithoutItsPrivateKeyIsRefused()
    {
        using var certificate = TestCertificates.SelfSigned("grainkv-silo");
        var path = Path.Combine(_directory.Path, "silo.crt");
        await File.WriteAllTextAsync(path, certificate.ExportCertificatePem());
        var output = await StartFailureAsync("--GrainKV:Tls:Enabled=true", $"--GrainKV:Tls:CertificatePath={path}");
        Assert.Contains("has no private key", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesHostingWithoutRedisClusteringIsRefused()
    {
        var output = await StartFailureAsync("--GrainKV:Hosting=Kubernetes");
        Assert.Contains("GrainKV:Hosting=Kubernetes needs GrainKV:Clustering=Redis", output, StringComparison.Ordinal);
    }

    private async Task<string> StartFailureAsync(params string[] arguments)
    {
        var data = Path.Combine(_directory.Path, "data");
        Directory.CreateDirectory(data);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data, "n1", null, null, arguments));
        Assert.Contains("grainkv-silo: invalid configuration:", failure.Message, StringComparison.Ordinal);
        return failure.Message;
    }
}
