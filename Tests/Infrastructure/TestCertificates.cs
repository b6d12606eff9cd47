// Certificates made by a test: a cluster authority, certificates it issues, and unrelated self-signed ones, written
// as PEM files in the layout GrainKV:Tls:CertificateDirectory reads (tls.crt, tls.key, ca.crt).

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GrainKV.Security;

namespace GrainKV.Tests.Infrastructure;

public static class TestCertificates
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A self-signed certificate authority (with its private key).</summary>
    public static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A certificate for server and client authentication issued by <paramref name="authority"/>.</summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(name, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A self-signed certificate for server and client authentication, issued by no authority.</summary>
    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return LeafRequest(name, key).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12));
    }

    /// <summary>Writes tls.crt, tls.key and (if given) ca.crt into <paramref name="directory"/>; returns the directory.</summary>
    public static string WriteDirectory(string directory, X509Certificate2 certificate, X509Certificate2? authority)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ClusterTlsOptions.CertificateFileName), certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The certificate has no ECDSA private key."))
        {
            File.WriteAllText(Path.Combine(directory, ClusterTlsOptions.KeyFileName), key.ExportPkcs8PrivateKeyPem());
        }

        if (authority is not null)
        {
            File.WriteAllText(Path.Combine(directory, ClusterTlsOptions.CaFileName), authority.ExportCertificatePem());
        }

        return directory;
    }

    private static CertificateRequest LeafRequest(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request;
    }
}
