// Log messages of the silo host.

using Microsoft.Extensions.Logging;

namespace GrainKV.Silo;

internal static partial class SiloLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "GrainKV node {NodeId} is ready: gateway port {GatewayPort}, HTTP port {HttpPort} (0: off), data in {DataDirectory}")]
    public static partial void Ready(ILogger logger, string nodeId, int gatewayPort, int httpPort, string dataDirectory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "GrainKV node {NodeId} started, not yet ready: {Reasons}")]
    public static partial void NotYetReady(ILogger logger, string nodeId, string reasons);
}
