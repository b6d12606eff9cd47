// Host-level settings of a GrainKV silo process: network endpoints and cluster membership.

namespace GrainKV.Silo;

/// <summary>How a silo finds the rest of its cluster.</summary>
public enum ClusteringMode
{
    /// <summary>Development clustering on one machine: the first silo is the primary; others point at it.</summary>
    Localhost,
}

/// <summary>Network and clustering options of the silo host, from the "GrainKV" configuration section.</summary>
public sealed class SiloHostOptions
{
    /// <summary>Port for silo-to-silo traffic.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id.</summary>
    public string ClusterId { get; set; } = "grainkv";

    /// <summary>Orleans service id.</summary>
    public string ServiceId { get; set; } = "grainkv";

    /// <summary>Membership provider.</summary>
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;

    /// <summary>With <see cref="ClusteringMode.Localhost"/>: silo port of the primary silo to join (unset: this silo is the primary).</summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>Listen on every interface instead of loopback only (containers); the advertised address stays loopback
    /// with <see cref="ClusteringMode.Localhost"/>.</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        CheckPort(SiloPort, nameof(SiloPort));
        CheckPort(GatewayPort, nameof(GatewayPort));
        if (PrimarySiloPort is { } primary)
        {
            CheckPort(primary, nameof(PrimarySiloPort));
        }

        if (SiloPort == GatewayPort)
        {
            throw new ArgumentException("GrainKV:SiloPort and GrainKV:GatewayPort must differ.");
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new ArgumentException("GrainKV:ClusterId and GrainKV:ServiceId must be set.");
        }
    }

    private static void CheckPort(int port, string name)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"GrainKV:{name} {port} is not a valid port.");
        }
    }
}
