// The TLS settings every GrainKV connection uses, client and silo alike: both sides present a certificate
// (mutual authentication) and a peer is accepted only if its certificate chains to the cluster's authority.

using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace GrainKV.Security;

/// <summary>Mutual authentication against the cluster's authority, for Orleans' TLS options.</summary>
public static class MutualTls
{
    /// <summary>Requires a certificate on both sides, accepts peers that <paramref name="credentials"/> trusts, and
    /// reports each refused peer's certificate and the reason to <paramref name="refused"/>.</summary>
    public static void Configure(
        TlsOptions options, ClusterCredentials credentials, TimeSpan handshakeTimeout, Action<X509Certificate2, string> refused)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.HandshakeTimeout = handshakeTimeout;
        options.RemoteCertificateValidation = (certificate, _, _) =>
        {
            if (credentials.IsTrusted(certificate, out var reason))
            {
                return true;
            }

            refused(certificate, reason ?? "not trusted");
            return false;
        };
    }
}
