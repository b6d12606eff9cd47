// Options of the Redis-protocol (RESP) gateway, bound from the "GrainKV:Resp" configuration section and
// validated at start-up (data annotations and Validate(ValidationContext), checked by the generated
// RespOptionsValidator). The gateway is off unless Enabled is set (see README "Using redis-cli").

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Resp;

/// <summary>Options of the RESP gateway a silo runs for Redis clients.</summary>
public sealed class RespOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV:Resp";

    /// <summary>Largest number of arguments a command may have, command name included (Redis allows 1,048,576).</summary>
    public const int DefaultMaxArguments = 1024;

    /// <summary>When false the silo opens no RESP port.</summary>
    public bool Enabled { get; set; }

    /// <summary>TCP port of the gateway (0: any free port, reported by <see cref="RespGateway.Port"/>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 6379;

    /// <summary>Address the gateway listens on: a literal IP address, or "any" for every interface.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>When set, every command except AUTH, HELLO ... AUTH and QUIT is refused with -NOAUTH until the
    /// connection authenticated with this password (user "default").</summary>
    [MinLength(1)]
    [RegularExpression("[^\\r\\n]*", ErrorMessage = "The field {0} must be a single line.")]
    public string? Password { get; set; }

    /// <summary>Open connections at most; a connection past the limit gets "-ERR max number of clients reached" and is closed.</summary>
    [Range(1, int.MaxValue)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>A connection that sends nothing for this long is closed (zero or negative: never).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest bulk string accepted, in bytes. Unset: the node's entry limit (GrainKV:MaxEntrySize), since
    /// no value larger than that can be stored.</summary>
    [Range(1, RespFrameParser.MaxProtocolBulkLength)]
    public int? MaxBulkLength { get; set; }

    /// <summary>Largest number of arguments of one command, command name included.</summary>
    [Range(3, RespFrameParser.MaxProtocolArguments)]
    public int MaxArguments { get; set; } = DefaultMaxArguments;

    /// <summary>The rules a data annotation cannot state: the listen address parses.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!RespEndpoint.TryParseAddress(ListenAddress, out _))
        {
            yield return new ValidationResult(
                $"{SectionName}:ListenAddress '{ListenAddress}' must be an IP address or 'any'.", [nameof(ListenAddress)]);
        }
    }
}

/// <summary>Checks <see cref="RespOptions"/> at start-up: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class RespOptionsValidator : IValidateOptions<RespOptions>;
