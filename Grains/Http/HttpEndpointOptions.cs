// Options of the silo's HTTP endpoint (health, Prometheus metrics, dashboards), bound from the
// "GrainKV:Http" configuration section and validated at start-up (data annotations and Validate(ValidationContext),
// checked by the generated HttpEndpointOptionsValidator).

using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Http;

/// <summary>Options of the HTTP endpoint a silo serves /healthz, /metrics and its dashboards on.</summary>
public sealed class HttpEndpointOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV:Http";

    /// <summary>When false the silo opens no HTTP port.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>TCP port (0: any free port, reported by <see cref="HttpEndpoint.Port"/>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary>Address to listen on: a literal IP address, or "any" for every interface.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Also serve the Orleans dashboard (grains, silos, Orleans' own counters) under /orleans/. Off by
    /// default: it adds a profiling filter to every grain call, requests included.</summary>
    public bool OrleansDashboard { get; set; }

    /// <summary>The address <see cref="ListenAddress"/> names, or false if it names none.</summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        if (string.Equals(text, "any", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Any;
            return true;
        }

        return IPAddress.TryParse(text, out address!);
    }

    /// <summary>The rules a data annotation cannot state: the listen address parses.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TryParseAddress(ListenAddress, out _))
        {
            yield return new ValidationResult(
                $"{SectionName}:ListenAddress '{ListenAddress}' must be an IP address or 'any'.", [nameof(ListenAddress)]);
        }
    }
}

/// <summary>Checks <see cref="HttpEndpointOptions"/> at start-up: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class HttpEndpointOptionsValidator : IValidateOptions<HttpEndpointOptions>;
