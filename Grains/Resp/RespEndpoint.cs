// The address the RESP gateway listens on, from RespOptions.ListenAddress.

using System.Net;

namespace GrainKV.Grains.Resp;

/// <summary>Parses the gateway's listen address.</summary>
public static class RespEndpoint
{
    /// <summary>"any" (every interface) or a literal IP address.</summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        if (string.Equals(text, "any", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Any;
            return true;
        }

        address = IPAddress.None;
        return text is not null && IPAddress.TryParse(text, out address!);
    }
}
