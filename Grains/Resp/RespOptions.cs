// Options of the Redis-protocol (RESP) gateway, bound from the "GrainKV:Resp" configuration section and
// validated at start-up. The gateway is off unless Enabled is set (see README "Using redis-cli").

using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Resp;

/// <summary>Options of the RESP gateway a silo runs for Redis clients.</summary>
public sealed class RespOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV:Resp";

    /// <summary>Largest number of arguments a command may have, command name included (Redis allows 1,048,576).</summary>
    public const int DefaultMaxArguments = 1024;

    /// <summary>When false the silo opens no RESP port.</summary>
    public bool Enabled { get; set; }

    /// <summary>TCP port of the gateway (0: any free port, reported by <see cref="RespGateway.Port"/>).</summary>
    public int Port { get; set; } = 6379;

    /// <summary>Address the gateway listens on: a literal IP address, or "any" for every interface.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>When set, every command except AUTH, HELLO ... AUTH and QUIT is refused with -NOAUTH until the
    /// connection authenticated with this password (user "default").</summary>
    public string? Password { get; set; }

    /// <summary>Open connections at most; a connection past the limit gets "-ERR max number of clients reached" and is closed.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>A connection that sends nothing for this long is closed (zero or negative: never).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest bulk string accepted, in bytes. Unset: the node's entry limit (GrainKV:MaxEntrySize), since
    /// no value larger than that can be stored.</summary>
    public int? MaxBulkLength { get; set; }

    /// <summary>Largest number of arguments of one command, command name included.</summary>
    public int MaxArguments { get; set; } = DefaultMaxArguments;
}

/// <summary>Validates <see cref="RespOptions"/> at start-up.</summary>
public sealed class RespOptionsValidator : IValidateOptions<RespOptions>
{
    public ValidateOptionsResult Validate(string? name, RespOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"GrainKV:Resp:Port {options.Port} must be between 0 and 65535.");
        }

        if (!RespEndpoint.TryParseAddress(options.ListenAddress, out _))
        {
            failures.Add($"GrainKV:Resp:ListenAddress '{options.ListenAddress}' must be an IP address or 'any'.");
        }

        if (options.Password is { Length: 0 } || options.Password?.Any(c => c is '\r' or '\n') == true)
        {
            failures.Add("GrainKV:Resp:Password must be unset or a non-empty single line.");
        }

        if (options.MaxConnections < 1)
        {
            failures.Add($"GrainKV:Resp:MaxConnections {options.MaxConnections} must be at least 1.");
        }

        if (options.MaxBulkLength is < 1 or > RespFrameParser.MaxProtocolBulkLength)
        {
            failures.Add($"GrainKV:Resp:MaxBulkLength {options.MaxBulkLength} must be between 1 and {RespFrameParser.MaxProtocolBulkLength}.");
        }

        if (options.MaxArguments is < 3 or > RespFrameParser.MaxProtocolArguments)
        {
            failures.Add($"GrainKV:Resp:MaxArguments {options.MaxArguments} must be between 3 and {RespFrameParser.MaxProtocolArguments}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
