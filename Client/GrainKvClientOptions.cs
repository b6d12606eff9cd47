// Options of a GrainKV client: where the cluster is and which limits to check before sending. The rules are data
// annotations on the properties plus the cross-field rules of Validate(ValidationContext), checked by the generated
// GrainKvClientOptionsValidator.

using System.ComponentModel.DataAnnotations;
using GrainKV.Partitioning;
using GrainKV.Security;
using GrainKV.Shared;
using GrainKV.Validation;
using Microsoft.Extensions.Options;

namespace GrainKV.Client;

/// <summary>Configuration of a <see cref="GrainKvClient"/>.</summary>
public sealed class GrainKvClientOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV";

    /// <summary>Gateway endpoints as "host:port".</summary>
    [Required]
    [MinLength(1)]
    public List<string> Gateways { get; set; } = ["localhost:30000"];

    /// <summary>Orleans cluster id of the GrainKV cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "grainkv";

    /// <summary>Orleans service id of the GrainKV cluster.</summary>
    [Required]
    public string ServiceId { get; set; } = "grainkv";

    /// <summary>Largest key + value the client sends, in bytes (the cluster checks its own limit again).</summary>
    [Range(2, int.MaxValue)]
    public int MaxEntrySize { get; set; } = KeyLimits.DefaultMaxEntrySize;

    /// <summary>Number of key ranges (Q) of the cluster: each request names its key's range, and the cluster refuses one
    /// named with another Q (<see cref="WrongRangeException"/>).</summary>
    [Range(2, KeyPartitioner.MaxRangeCount)]
    [PowerOfTwo]
    public int RangeCount { get; set; } = KeyPartitioner.DefaultRangeCount;

    /// <summary>How long connecting to the cluster may take before it fails with <see cref="ClusterUnavailableException"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a request is tried when its gateway fails it (the retry goes through another gateway);
    /// writes only when the failure proves they never reached a coordinator (see GatewayFailover).</summary>
    [Range(1, int.MaxValue)]
    public int Attempts { get; set; } = 6;

    /// <summary>The pause before the first retry; it doubles at each further retry, up to one second. A gateway that
    /// just died is still chosen for a moment, until the Orleans client has marked it dead.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a gateway that refused a connection or lost it is passed over when requests choose theirs
    /// (unless every gateway is passed over).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan GatewayPause { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one attempt of a read may take before it is given up and retried (a little longer than the
    /// cluster's default RequestTimeout, 5 s, so mostly a read stuck at a dead gateway is cut short).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan ReadAttemptTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Whether requests to a gateway travel in batches when many are in flight: a request leaves at once, as a
    /// call of its own, while fewer than four of its kind (reads, writes) are out to its gateway; the ones made
    /// meanwhile leave together, one message each way for many requests, when one of those is answered. A batch is
    /// answered when all its requests are, so a request can wait for a slower one beside it. Off (the default): one
    /// call per request, however many are in flight. Measured on two cores (docs/BENCHMARKS.md, twenty-seventh
    /// session): one silo with 64 requests in flight served 12-22 % more with batches, three silos 5-15 % less.</summary>
    public bool BatchRequests { get; set; }

    /// <summary>TLS to the gateways ("GrainKV:Tls"): the client's certificate and the authority the gateways'
    /// certificates must chain to. Needed when the cluster runs with TLS on.</summary>
    [ValidateObjectMembers(typeof(ClusterTlsOptionsValidator))]
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
        BatchRequests = other.BatchRequests;
        Tls = new ClusterTlsOptions();
        Tls.CopyFrom(other.Tls);
    }

    /// <summary>Checks every rule (TLS settings included); throws <see cref="OptionsValidationException"/> listing each
    /// broken one.</summary>
    public void Validate() => new GrainKvClientOptionsValidator().ThrowIfInvalid(this);

    /// <summary>The rules a data annotation cannot state: each gateway is "host:port".</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var gateway in Gateways ?? [])
        {
            if (!GatewayEndpoints.TryParse(gateway, out _))
            {
                yield return new ValidationResult($"Gateway '{gateway}' is not of the form host:port.", [nameof(Gateways)]);
            }
        }
    }
}

/// <summary>Checks <see cref="GrainKvClientOptions"/>: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class GrainKvClientOptionsValidator : IValidateOptions<GrainKvClientOptions>;
