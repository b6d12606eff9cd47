// The options that say which cluster grainkv talks to and how: gateways, cluster identity, the client's entry
// limit and TLS. They are recursive (accepted before or after any command) and bound, together with the
// GRAINKV_* environment variables, into the client's GrainKvClientOptions.

using System.CommandLine;
using GrainKV.Client;
using Microsoft.Extensions.Options;

namespace GrainKV.Cli.CommandLine;

/// <summary>The connection options of every command.</summary>
public sealed class ConnectionOptions
{
    /// <summary>Gateways used when neither --gateway nor the variable is given.</summary>
    public const string GatewayVariable = "GRAINKV_GATEWAY", TlsDirectoryVariable = "GRAINKV_TLS_DIR", TlsPasswordVariable = "GRAINKV_TLS_PASSWORD";

    private readonly Func<string, string?> _environment;

    /// <param name="environment">Reads an environment variable (null when unset).</param>
    public ConnectionOptions(Func<string, string?> environment)
    {
        _environment = environment;
        All = [Gateways, ClusterId, ServiceId, MaxEntrySize, TlsDirectory, TlsCertificate, TlsKey, TlsAuthority];
    }

    public Option<string[]> Gateways { get; } = new("--gateway")
    {
        Description = $"A gateway of the cluster (repeatable; default ${GatewayVariable}, comma-separated, or localhost:30000)",
        HelpName = "HOST:PORT",
        Recursive = true,
    };

    public Option<string?> ClusterId { get; } = new("--cluster-id")
    {
        Description = "Orleans cluster id (default grainkv)",
        HelpName = "ID",
        Recursive = true,
    };

    public Option<string?> ServiceId { get; } = new("--service-id")
    {
        Description = "Orleans service id (default grainkv)",
        HelpName = "ID",
        Recursive = true,
    };

    public Option<int?> MaxEntrySize { get; } = new("--max-entry-size")
    {
        Description = "Largest key + value sent, in bytes (default 10240; the cluster checks its own limit again)",
        HelpName = "BYTES",
        Recursive = true,
        CustomParser = result => OptionValues.Integer(result, minimum: 2, "a number of bytes greater than 1"),
    };

    public Option<string?> TlsDirectory { get; } = new("--tls-dir")
    {
        Description = $"TLS on, with tls.crt, tls.key and ca.crt from DIR (default ${TlsDirectoryVariable}; a PFX or encrypted key's password: ${TlsPasswordVariable})",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<string?> TlsCertificate { get; } = new("--tls-cert")
    {
        Description = "TLS on, with this client's certificate: PFX (.pfx/.p12) or PEM",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<string?> TlsKey { get; } = new("--tls-key")
    {
        Description = "TLS on; the PEM private key of --tls-cert, if not in the certificate file",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<string?> TlsAuthority { get; } = new("--tls-ca")
    {
        Description = "TLS on; the PEM authority the gateways' certificates must chain to",
        HelpName = "PATH",
        Recursive = true,
    };

    /// <summary>Every connection option.</summary>
    public IReadOnlyList<Option> All { get; }

    /// <summary>The client options the parsed command line and the environment give; throws
    /// <see cref="UsageException"/> if they are not valid (checked before any connection is made).</summary>
    public GrainKvClientOptions Bind(ParseResult parseResult)
    {
        var options = new GrainKvClientOptions();
        var gateways = parseResult.GetValue(Gateways) is { Length: > 0 } given
            ? given
            : _environment(GatewayVariable)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (gateways is { Length: > 0 })
        {
            options.Gateways = [.. gateways];
        }

        options.ClusterId = parseResult.GetValue(ClusterId) ?? options.ClusterId;
        options.ServiceId = parseResult.GetValue(ServiceId) ?? options.ServiceId;
        options.MaxEntrySize = parseResult.GetValue(MaxEntrySize) ?? options.MaxEntrySize;

        var tls = options.Tls;
        tls.CertificateDirectory = parseResult.GetValue(TlsDirectory);
        tls.CertificatePath = parseResult.GetValue(TlsCertificate);
        tls.KeyPath = parseResult.GetValue(TlsKey);
        tls.CaCertificatePath = parseResult.GetValue(TlsAuthority);
        tls.Enabled = tls.CertificateDirectory is not null || tls.CertificatePath is not null || tls.KeyPath is not null || tls.CaCertificatePath is not null;
        if (!tls.Enabled && _environment(TlsDirectoryVariable) is { Length: > 0 } directory)
        {
            tls.CertificateDirectory = directory;
            tls.Enabled = true;
        }

        if (tls.Enabled && _environment(TlsPasswordVariable) is { Length: > 0 } password)
        {
            tls.CertificatePassword = password;
        }

        try
        {
            options.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or OptionsValidationException)
        {
            throw new UsageException(ex.Message);
        }

        return options;
    }
}
