// Options of a GrainKV client: where the cluster is and which limits to check before sending.

using GrainKV.Partitioning;
using GrainKV.Security;

namespace GrainKV.Client;

/// <summary>Configuration of a <see cref="GrainKvClient"/>.</summary>
public sealed class GrainKvClientOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV";

    /// <summary>Gateway endpoints as "host:port".</summary>
    public List<string> Gateways { get; set; } = ["localhost:30000"];

    /// <summary>Orleans cluster id of the GrainKV cluster.</summary>
    public string ClusterId { get; set; } = "grainkv";

    /// <summary>Orleans service id of the GrainKV cluster.</summary>
    public string ServiceId { get; set; } = "grainkv";

    /// <summary>Largest key + value the client sends, in bytes (the cluster checks its own limit again).</summary>
    public int MaxEntrySize { get; set; } = KeyLimits.DefaultMaxEntrySize;

    /// <summary>Number of key ranges (Q) of the cluster.</summary>
    public int RangeCount { get; set; } = KeyPartitioner.DefaultRangeCount;

    /// <summary>How long connecting to the cluster may take before it fails with <see cref="ClusterUnavailableException"/>.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a request is tried when its gateway fails it (the retry goes through another gateway);
    /// writes only when the failure proves they never reached a coordinator (see GatewayFailover).</summary>
    public int Attempts { get; set; } = 6;

    /// <summary>The pause before the first retry; it doubles at each further retry, up to one second. A gateway that
    /// just died is still chosen for a moment, until the Orleans client has marked it dead.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a gateway that refused a connection or lost it is passed over when requests choose theirs
    /// (unless every gateway is passed over).</summary>
    public TimeSpan GatewayPause { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one attempt of a read may take before it is given up and retried (a little longer than the
    /// cluster's default RequestTimeout, 5 s, so mostly a read stuck at a dead gateway is cut short).</summary>
    public TimeSpan ReadAttemptTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>TLS to the gateways ("GrainKV:Tls"): the client's certificate and the authority the gateways'
    /// certificates must chain to. Needed when the cluster runs with TLS on.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    /// <summary>Copies every setting of <paramref name="other"/> into this instance.</summary>
    public void CopyFrom(GrainKvClientOptions other)
    {
        Gateways = [.. other.Gateways];
        ClusterId = other.ClusterId;
        ServiceId = other.ServiceId;
        MaxEntrySize = other.MaxEntrySize;
        RangeCount = other.RangeCount;
        ConnectTimeout = other.ConnectTimeout;
        Attempts = other.Attempts;
        RetryDelay = other.RetryDelay;
        GatewayPause = other.GatewayPause;
        ReadAttemptTimeout = other.ReadAttemptTimeout;
        Tls = new ClusterTlsOptions();
        Tls.CopyFrom(other.Tls);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Gateways.Count == 0)
        {
            throw new ArgumentException("At least one gateway is required.", nameof(Gateways));
        }

        foreach (var gateway in Gateways)
        {
            GatewayEndpoints.Parse(gateway);
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new ArgumentException("ClusterId and ServiceId must be set.");
        }

        if (MaxEntrySize < 2)
        {
            throw new ArgumentException("MaxEntrySize must be at least 2 bytes.", nameof(MaxEntrySize));
        }

        KeyPartitioner.CheckRangeCount(RangeCount);
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("ConnectTimeout must be positive.", nameof(ConnectTimeout));
        }

        if (Attempts < 1 || ReadAttemptTimeout <= TimeSpan.Zero || RetryDelay < TimeSpan.Zero || GatewayPause < TimeSpan.Zero)
        {
            throw new ArgumentException("Attempts must be at least 1, ReadAttemptTimeout positive and RetryDelay and GatewayPause not negative.", nameof(Attempts));
        }

        Tls.Validate();
    }
}
