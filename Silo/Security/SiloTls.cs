// TLS of a silo's connections: silo-to-silo (both directions) and the gateway. Every connection is mutually
// authenticated: the remote side must present a certificate that chains to the cluster's authority, so a process
// without the cluster's credentials can neither join the cluster nor call its grains. A refused certificate is
// logged with the reason (once per certificate and minute, since a refused peer keeps retrying).

using System.Collections.Concurrent;
using GrainKV.Security;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;

namespace GrainKV.Silo.Security;

internal static partial class SiloTls
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    /// <summary>Turns TLS on for <paramref name="silo"/>; refusals are logged through <paramref name="logger"/> once
    /// the host has built it.</summary>
    public static void Use(ISiloBuilder silo, ClusterCredentials credentials, TimeSpan handshakeTimeout, Func<ILogger?> logger, TimeProvider time)
    {
        var lastLogged = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        silo.UseTls(credentials.Certificate, o => MutualTls.Configure(o, credentials, handshakeTimeout, (certificate, reason) =>
        {
            var now = time.GetTimestamp();
            var previous = lastLogged.GetOrAdd(certificate.Thumbprint, _ => now - (long)(LogInterval.TotalSeconds * time.TimestampFrequency) - 1);
            if (time.GetElapsedTime(previous, now) > LogInterval && lastLogged.TryUpdate(certificate.Thumbprint, now, previous) && logger() is { } log)
            {
                PeerRefused(log, reason);
            }
        }));
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "TLS: a connection was refused: {Reason}")]
    private static partial void PeerRefused(ILogger logger, string reason);
}
