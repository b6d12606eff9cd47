// GrainKV:Tls settings: what is checked at start-up (missing files, no private key, no certificate) and which peer
// certificates the cluster's authority accepts.

using System.Security.Cryptography.X509Certificates;
using GrainKV.Security;
using GrainKV.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace GrainKV.Tests.Security;

public sealed class ClusterTlsOptionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void OffByDefaultAndValid()
    {
        var options = new ClusterTlsOptions();
        options.Validate();
        Assert.True(new ClusterTlsOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.Enabled);
    }

    [Fact]
    public void EnabledWithoutACertificateNamesTheSettings()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ClusterTlsOptions { Enabled = true }.Validate());
        Assert.Contains("GrainKV:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("GrainKV:Tls:CertificateDirectory", error.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => new ClusterTlsOptions { Enabled = true }.Load());
    }

    [Fact]
    public void EnabledWithACertificatePathOrDirectoryIsValidWithoutReadingFiles()
    {
        new ClusterTlsOptions { Enabled = true, CertificatePath = Path.Combine(_directory.Path, "absent.pfx") }.Validate();
        new ClusterTlsOptions { Enabled = true, CertificateDirectory = Path.Combine(_directory.Path, "absent") }.Validate();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(24 * 60 * 60 * 1000 + 1)]
    public void AHandshakeTimeoutOutOfRangeIsRefused(int milliseconds)
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => new ClusterTlsOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(milliseconds) }.Validate());
        Assert.Contains("ClusterTlsOptions.HandshakeTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingCertificateFileIsNamed()
    {
        var missing = Path.Combine(_directory.Path, "nowhere", "tls.crt");
        var error = Assert.Throws<TlsConfigurationException>(() => new ClusterTlsOptions { Enabled = true, CertificatePath = missing }.Load());
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingAuthorityFileIsNamed()
    {
        using var certificate = TestCertificates.SelfSigned("node");
        var directory = TestCertificates.WriteDirectory(Path.Combine(_directory.Path, "node"), certificate, authority: null);
        var missing = Path.Combine(_directory.Path, "ca.crt");
        var error = Assert.Throws<TlsConfigurationException>(
            () => new ClusterTlsOptions { Enabled = true, CertificateDirectory = directory, CaCertificatePath = missing }.Load());
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACertificateWithoutItsPrivateKeyIsRefused()
    {
        using var certificate = TestCertificates.SelfSigned("node");
        var path = Path.Combine(_directory.Path, "public-only.crt");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        var error = Assert.Throws<TlsConfigurationException>(() => new ClusterTlsOptions { Enabled = true, CertificatePath = path }.Load());
        Assert.Contains("no private key", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNoCertificateIsRefused()
    {
        var path = Path.Combine(_directory.Path, "garbage.pfx");
        File.WriteAllText(path, "not a certificate");
        var error = Assert.Throws<TlsConfigurationException>(() => new ClusterTlsOptions { Enabled = true, CertificatePath = path }.Load());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOwnCertificateNotIssuedByTheConfiguredAuthorityIsRefusedAtStartUp()
    {
        using var authority = TestCertificates.CreateAuthority("cluster-ca");
        using var stranger = TestCertificates.SelfSigned("node");
        var directory = TestCertificates.WriteDirectory(Path.Combine(_directory.Path, "node"), stranger, authority);
        var error = Assert.Throws<TlsConfigurationException>(() => new ClusterTlsOptions { Enabled = true, CertificateDirectory = directory }.Load());
        Assert.Contains("not trusted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PeersIssuedByTheAuthorityAreTrustedOthersAreNot()
    {
        using var authority = TestCertificates.CreateAuthority("cluster-ca");
        using var otherAuthority = TestCertificates.CreateAuthority("cluster-ca");   // same name, other key
        using var node = TestCertificates.Issue(authority, "n1");
        using var peer = TestCertificates.Issue(authority, "n2");
        using var impostor = TestCertificates.Issue(otherAuthority, "n2");
        using var selfSigned = TestCertificates.SelfSigned("n2");
        var directory = TestCertificates.WriteDirectory(Path.Combine(_directory.Path, "n1"), node, authority);

        using var credentials = new ClusterTlsOptions { Enabled = true, CertificateDirectory = directory }.Load();

        Assert.True(credentials.Certificate.HasPrivateKey);
        Assert.True(credentials.IsTrusted(peer, out _));
        Assert.False(credentials.IsTrusted(impostor, out var reason));
        Assert.Contains(impostor.Thumbprint, reason, StringComparison.Ordinal);
        Assert.False(credentials.IsTrusted(selfSigned, out _));
    }

    [Fact]
    public void WithoutAnAuthorityTheSharedSelfSignedCertificateIsTheOnlyOneTrusted()
    {
        using var shared = TestCertificates.SelfSigned("grainkv-cluster");
        using var sameName = TestCertificates.SelfSigned("grainkv-cluster");
        var pfx = Path.Combine(_directory.Path, "cluster.pfx");
        File.WriteAllBytes(pfx, shared.Export(X509ContentType.Pkcs12, "secret"));

        using var credentials = new ClusterTlsOptions { Enabled = true, CertificatePath = pfx, CertificatePassword = "secret" }.Load();

        Assert.True(credentials.IsTrusted(shared, out _));
        Assert.False(credentials.IsTrusted(sameName, out _));
    }
}
