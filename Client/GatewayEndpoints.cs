// Parsing of "host:port" gateway addresses into endpoints.

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GrainKV.Client;

/// <summary>Turns configured gateway strings into <see cref="IPEndPoint"/>s.</summary>
public static class GatewayEndpoints
{
    /// <summary>Parses "host:port" (host may be a name, IPv4, or [IPv6]). Throws <see cref="ArgumentException"/> if malformed.</summary>
    public static (string Host, int Port) Parse(string gateway) =>
        TryParse(gateway, out var endpoint) ? endpoint : throw new ArgumentException($"Gateway '{gateway}' is not of the form host:port.", nameof(gateway));

    /// <summary>Parses "host:port" (host may be a name, IPv4, or [IPv6]); false if malformed.</summary>
    public static bool TryParse(string? gateway, out (string Host, int Port) endpoint)
    {
        var colon = gateway?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            endpoint = default;
            return false;
        }

        endpoint = (gateway![..colon].Trim('[', ']'), port);
        return true;
    }

    /// <summary>Resolves every gateway to an endpoint (IPv4 preferred for names).</summary>
    public static IPEndPoint[] Resolve(IEnumerable<string> gateways) => gateways.Select(ResolveOne).ToArray();

    private static IPEndPoint ResolveOne(string gateway)
    {
        var (host, port) = Parse(gateway);
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        var addresses = Dns.GetHostAddresses(host);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ArgumentException($"Gateway host '{host}' did not resolve to an address.", nameof(gateway));
        return new IPEndPoint(chosen, port);
    }
}
