// TLS of the client's connections to the gateways: the client presents its certificate (mutual authentication)
// and accepts a gateway only if the gateway's certificate chains to the cluster's authority.

using GrainKV.Security;
using Orleans.Connections.Security;

namespace GrainKV.Client.Security;

internal static class ClientTls
{
    /// <summary>Turns TLS on for <paramref name="client"/> with <paramref name="credentials"/>; a gateway certificate
    /// refused is reported to <paramref name="onRejected"/> with the reason.</summary>
    public static void Use(IClientBuilder client, ClusterCredentials credentials, TimeSpan handshakeTimeout, Action<string>? onRejected) =>
        client.UseTls(credentials.Certificate, o => MutualTls.Configure(
            o, credentials, handshakeTimeout, (_, reason) => onRejected?.Invoke($"the gateway's certificate was refused: {reason}")));
}
