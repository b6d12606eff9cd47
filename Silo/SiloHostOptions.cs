// Host-level settings of a GrainKV silo process: network endpoints, cluster membership and the heap limit. The rules
// are data annotations on the properties plus the cross-field rules of Validate(ValidationContext), checked by the
// generated SiloHostOptionsValidator before the host is built (the heap limit's room for the engine is checked by
// the silo against the node's engine settings).

using System.ComponentModel.DataAnnotations;
using System.Net;
using GrainKV.Shared;
using Microsoft.Extensions.Options;

namespace GrainKV.Silo;

/// <summary>How a silo finds the rest of its cluster.</summary>
public enum ClusteringMode
{
    /// <summary>Development clustering on one machine: the first silo is the primary; others point at it. The
    /// membership table lives in the primary's memory, so the primary is a single point of failure.</summary>
    Localhost,

    /// <summary>Membership table in Redis (<see cref="SiloHostOptions.RedisConnectionString"/>): every silo is equal,
    /// any of them can die and come back.</summary>
    Redis,
}

/// <summary>Where the silo runs, for what the host takes from its surroundings.</summary>
public enum HostingMode
{
    /// <summary>A plain process or container: addresses, name and ids come from GrainKV settings only.</summary>
    Process,

    /// <summary>A Kubernetes pod (Microsoft.Orleans.Hosting.Kubernetes): the silo advertises the pod's IP (POD_IP),
    /// listens on every interface, names itself after the pod (POD_NAME), labels its pod with the cluster and
    /// service ids, and marks silos whose pods are gone as dead in the membership table (it needs the pods
    /// get/list/watch/patch permissions of deploy/k8s). Needs Redis clustering.</summary>
    Kubernetes,
}

/// <summary>Network and clustering options of the silo host, from the "GrainKV" configuration section.</summary>
public sealed class SiloHostOptions : IValidatableObject
{
    /// <summary>Port for silo-to-silo traffic.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id.</summary>
    [Required]
    public string ClusterId { get; set; } = "grainkv";

    /// <summary>Orleans service id.</summary>
    [Required]
    public string ServiceId { get; set; } = "grainkv";

    /// <summary>Membership provider.</summary>
    [EnumDataType(typeof(ClusteringMode), ErrorMessage = "The field {0} must be Localhost or Redis.")]
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;

    /// <summary>Where the silo runs.</summary>
    [EnumDataType(typeof(HostingMode), ErrorMessage = "The field {0} must be Process or Kubernetes.")]
    public HostingMode Hosting { get; set; } = HostingMode.Process;

    /// <summary>With <see cref="ClusteringMode.Localhost"/>: silo port of the primary silo to join (unset: this silo is the primary).</summary>
    [Range(1, 65535)]
    public int? PrimarySiloPort { get; set; }

    /// <summary>With <see cref="ClusteringMode.Redis"/>: the StackExchange.Redis connection string of the membership
    /// store, e.g. "localhost:6379" or "redis.internal:6379,password=...".</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>With <see cref="ClusteringMode.Redis"/>: the address other silos and clients reach this silo at (an IP
    /// address or a host name resolved at start-up); default 127.0.0.1, right for a cluster on one machine only.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Listen on every interface instead of the advertised address only (containers); with
    /// <see cref="ClusteringMode.Localhost"/> the advertised address stays loopback.</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>The most memory, in MiB, the .NET garbage collector may hold for this process (its heap hard limit), or
    /// unset for the runtime's own: 75 % of a container's memory limit, else all of the machine's memory. Without a limit
    /// the server GC keeps freed memory committed for later allocations, so the process's resident memory can stand
    /// well above what it uses; with one it collects and returns memory to stay under it. It must leave room for the
    /// engine's memtables and block cache (checked at start).</summary>
    [Range(MinimumHeapLimitMb, 1 << 22)]
    public int? HeapLimitMb { get; set; }

    /// <summary>The smallest <see cref="HeapLimitMb"/> accepted.</summary>
    public const int MinimumHeapLimitMb = 256;

    /// <summary>What a silo needs besides the engine's memtables and block cache, counted when <see cref="HeapLimitMb"/>
    /// is checked against the engine's settings: the engine's own working memory (compaction buffers, table indexes and
    /// filters; its live heap was measured at up to ~240 MiB over a 256 MiB memtable + cache budget while it compacts
    /// under reads and writes), the runtime, Orleans and requests in flight.</summary>
    public const int HeapHeadroomMb = 384;

    /// <summary>Checks every rule; throws <see cref="OptionsValidationException"/> listing each broken one.</summary>
    public void Validate() => new SiloHostOptionsValidator().ThrowIfInvalid(this);

    /// <summary>The rules that relate two settings.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SiloPort == GatewayPort)
        {
            yield return new ValidationResult("GrainKV:SiloPort and GrainKV:GatewayPort must differ.", [nameof(SiloPort), nameof(GatewayPort)]);
        }

        if (Hosting == HostingMode.Kubernetes && Clustering != ClusteringMode.Redis)
        {
            yield return new ValidationResult(
                "GrainKV:Hosting=Kubernetes needs GrainKV:Clustering=Redis (the pods need a shared membership store).", [nameof(Hosting)]);
        }

        if (Clustering == ClusteringMode.Redis)
        {
            if (string.IsNullOrWhiteSpace(RedisConnectionString))
            {
                yield return new ValidationResult(
                    "GrainKV:Clustering=Redis needs GrainKV:RedisConnectionString (e.g. localhost:6379).", [nameof(RedisConnectionString)]);
            }

            if (PrimarySiloPort is not null)
            {
                yield return new ValidationResult(
                    "GrainKV:PrimarySiloPort applies to Localhost clustering only; with Redis clustering every silo is equal.", [nameof(PrimarySiloPort)]);
            }
        }
        else if (!string.IsNullOrWhiteSpace(AdvertisedAddress))
        {
            yield return new ValidationResult(
                "GrainKV:AdvertisedAddress applies to Redis clustering only; Localhost clustering always advertises 127.0.0.1.", [nameof(AdvertisedAddress)]);
        }
    }

    /// <summary>The address this silo advertises with Redis clustering: <see cref="AdvertisedAddress"/> as an IP
    /// address, else its first IPv4 (then any) address from DNS; loopback when unset.</summary>
    public IPAddress ResolveAdvertisedAddress()
    {
        if (string.IsNullOrWhiteSpace(AdvertisedAddress))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(AdvertisedAddress, out var address))
        {
            return address;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(AdvertisedAddress);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new ArgumentException($"GrainKV:AdvertisedAddress '{AdvertisedAddress}' did not resolve: {ex.Message}");
        }

        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new ArgumentException($"GrainKV:AdvertisedAddress '{AdvertisedAddress}' resolved to no address.");
    }

}

/// <summary>Checks <see cref="SiloHostOptions"/>: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class SiloHostOptionsValidator : IValidateOptions<SiloHostOptions>;
