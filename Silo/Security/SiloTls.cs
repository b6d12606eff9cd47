// TLS of a silo's connections: silo-to-silo (both directions) and the gateway. Every connection is mutually
// authenticated: the remote side must present a certificate that chains to the cluster's authority, so a process
// without the cluster's credentials can neither join the cluster nor call its grains.

using GrainKV.Security;
using Orleans.Connections.Security;

namespace GrainKV.Silo.Security;

internal static class SiloTls
{
    public static void Use(ISiloBuilder silo, ClusterCredentials credentials, TimeSpan handshakeTimeout) =>
        silo.UseTls(credentials.Certificate, o =>
        {
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.HandshakeTimeout = handshakeTimeout;
            o.RemoteCertificateValidation = (certificate, _, _) => credentials.IsTrusted(certificate, out _);
        });
}
