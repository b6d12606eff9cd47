// Options of the silo's HTTP endpoint (health, Prometheus metrics, dashboards), bound from the
// "GrainKV:Http" configuration section and validated at start-up.

using System.Net;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Http;

/// <summary>Options of the HTTP endpoint a silo serves /healthz, /metrics and its dashboards on.</summary>
public sealed class HttpEndpointOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV:Http";

    /// <summary>When false the silo opens no HTTP port.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>TCP port (0: any free port, reported by <see cref="HttpEndpoint.Port"/>).</summary>
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
}

/// <summary>Validates <see cref="HttpEndpointOptions"/> at start-up.</summary>
public sealed class HttpEndpointOptionsValidator : IValidateOptions<HttpEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpEndpointOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"GrainKV:Http:Port {options.Port} must be between 0 and 65535.");
        }

        if (!HttpEndpointOptions.TryParseAddress(options.ListenAddress, out _))
        {
            failures.Add($"GrainKV:Http:ListenAddress '{options.ListenAddress}' must be an IP address or 'any'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
