// Log messages of the RESP gateway (event ids 700-719).

using Microsoft.Extensions.Logging;

namespace GrainKV.Grains.Resp;

internal static partial class RespLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "RESP gateway listening on {Endpoint} (password {Auth}, at most {MaxConnections} connections, idle timeout {IdleTimeout}, bulk strings up to {MaxBulk} bytes, up to {MaxArguments} arguments)")]
    public static partial void Listening(ILogger logger, string endpoint, string auth, int maxConnections, TimeSpan idleTimeout, int maxBulk, int maxArguments);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "RESP gateway stopped ({Connections} connections closed)")]
    public static partial void Stopped(ILogger logger, int connections);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "RESP connection from {Remote} refused: {MaxConnections} connections are open")]
    public static partial void TooManyConnections(ILogger logger, string remote, int maxConnections);

    [LoggerMessage(EventId = 703, Level = LogLevel.Debug, Message = "RESP connection {Id} from {Remote} closed: protocol error: {Error}")]
    public static partial void ProtocolError(ILogger logger, long id, string remote, string error);

    [LoggerMessage(EventId = 704, Level = LogLevel.Debug, Message = "RESP connection {Id} from {Remote} closed after {IdleTimeout} idle")]
    public static partial void IdleClosed(ILogger logger, long id, string remote, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "RESP command {Command} of connection {Id} failed")]
    public static partial void CommandFailed(ILogger logger, Exception exception, string command, long id);

    [LoggerMessage(EventId = 706, Level = LogLevel.Debug, Message = "RESP connection {Id} from {Remote} ended")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, long id, string remote);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "RESP gateway: accepting a connection failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 708, Level = LogLevel.Information, Message = "RESP gateway is off (enable it with GrainKV:Resp:Enabled=true)")]
    public static partial void Disabled(ILogger logger);
}
