// Transport security of a GrainKV cluster: which certificate a process presents and which certificates it accepts
// from its peers. The same settings serve silos (silo-to-silo and gateway connections) and clients.
//
// Trust is a certificate chain to the cluster's own authority, not the machine's trust store: a peer is accepted
// when its certificate chains to one of the certificates in CaCertificatePath (or, without one, to this process's
// own certificate: one self-signed certificate shared by every process of the cluster). Host names are not
// checked (silos are reached at advertised IP addresses); validity dates and signatures are.

using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GrainKV.Shared;
using Microsoft.Extensions.Options;

namespace GrainKV.Security;

/// <summary>TLS settings, from the "GrainKV:Tls" configuration section. Off by default.</summary>
public sealed class ClusterTlsOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "GrainKV:Tls";

    /// <summary>File names looked up in <see cref="CertificateDirectory"/> (the layout of a Kubernetes TLS secret).</summary>
    public const string CertificateFileName = "tls.crt", KeyFileName = "tls.key", CaFileName = "ca.crt";

    /// <summary>TLS on every connection of this process (and mutual authentication).</summary>
    public bool Enabled { get; set; }

    /// <summary>A directory holding tls.crt (PEM certificate), tls.key (PEM private key) and, optionally, ca.crt (PEM
    /// authority), e.g. a mounted secret. Explicit paths below win over it.</summary>
    public string? CertificateDirectory { get; set; }

    /// <summary>This process's certificate: a PFX/PKCS#12 file (.pfx, .p12) with its private key, or a PEM file
    /// (with the key in it, or in <see cref="KeyPath"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM certificate, when it is not in the certificate file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PFX file or of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>PEM file of the certificate authorities that peers' certificates must chain to. Unset: peers must
    /// present a certificate that chains to this process's own certificate (one self-signed cluster certificate).</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The certificate file in use: <see cref="CertificatePath"/>, else tls.crt in <see cref="CertificateDirectory"/>.</summary>
    public string? EffectiveCertificatePath => CertificatePath ?? InDirectory(CertificateFileName);

    /// <summary>The key file in use: <see cref="KeyPath"/>, else tls.key in <see cref="CertificateDirectory"/> (with no explicit certificate).</summary>
    public string? EffectiveKeyPath => KeyPath ?? (CertificatePath is null ? InDirectory(KeyFileName) : null);

    /// <summary>The authority file in use: <see cref="CaCertificatePath"/>, else ca.crt in <see cref="CertificateDirectory"/> if it exists.</summary>
    public string? EffectiveCaCertificatePath =>
        CaCertificatePath ?? (InDirectory(CaFileName) is { } ca && File.Exists(ca) ? ca : null);

    /// <summary>Copies every setting of <paramref name="other"/> into this instance.</summary>
    public void CopyFrom(ClusterTlsOptions other)
    {
        Enabled = other.Enabled;
        CertificateDirectory = other.CertificateDirectory;
        CertificatePath = other.CertificatePath;
        KeyPath = other.KeyPath;
        CertificatePassword = other.CertificatePassword;
        CaCertificatePath = other.CaCertificatePath;
        HandshakeTimeout = other.HandshakeTimeout;
    }

    /// <summary>Checks the settings without reading files; throws <see cref="OptionsValidationException"/> listing each
    /// invalid one.</summary>
    public void Validate() => new ClusterTlsOptionsValidator().ThrowIfInvalid(this);

    /// <summary>The rules that relate two settings.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && EffectiveCertificatePath is null)
        {
            yield return new ValidationResult(
                $"{SectionName}:Enabled=true needs a certificate: {SectionName}:CertificatePath (PFX or PEM) or {SectionName}:CertificateDirectory (tls.crt, tls.key, ca.crt).",
                [nameof(CertificatePath), nameof(CertificateDirectory)]);
        }
    }

    /// <summary>Reads the certificate, its key and the authorities (after <see cref="Validate()"/>); throws <see cref="TlsConfigurationException"/>
    /// naming the file and what is wrong with it (missing, unreadable, no private key, no certificate).</summary>
    public ClusterCredentials Load()
    {
        Validate();
        if (!Enabled)
        {
            throw new InvalidOperationException($"{SectionName}:Enabled is false: there are no credentials to load.");
        }

        var certificate = LoadCertificate(EffectiveCertificatePath!, EffectiveKeyPath, CertificatePassword);
        var authorities = new X509Certificate2Collection();
        if (EffectiveCaCertificatePath is { } caPath)
        {
            RequireFile(caPath, "CaCertificatePath");
            try
            {
                authorities.ImportFromPemFile(caPath);
            }
            catch (CryptographicException ex)
            {
                throw new TlsConfigurationException($"{SectionName}: the authority file {caPath} is not a PEM certificate file: {ex.Message}");
            }

            if (authorities.Count == 0)
            {
                throw new TlsConfigurationException($"{SectionName}: the authority file {caPath} holds no certificate (expected PEM '-----BEGIN CERTIFICATE-----').");
            }
        }
        else
        {
            authorities.Add(X509CertificateLoader.LoadCertificate(certificate.RawData));
        }

        var credentials = new ClusterCredentials(certificate, authorities);
        if (!credentials.IsTrusted(certificate, out var reason))
        {
            throw new TlsConfigurationException(
                $"{SectionName}: this process's own certificate ({certificate.Subject}) is not trusted by the configured authorities: {reason}. "
                + "Peers holding the same credentials would refuse it.");
        }

        return credentials;
    }

    private static X509Certificate2 LoadCertificate(string path, string? keyPath, string? password)
    {
        RequireFile(path, "CertificatePath");
        X509Certificate2 certificate;
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            }
            else
            {
                if (keyPath is not null)
                {
                    RequireFile(keyPath, "KeyPath");
                }

                var keyFile = keyPath ?? path;
                using var pem = !File.ReadAllText(keyFile).Contains("PRIVATE KEY-----", StringComparison.Ordinal)
                    ? X509CertificateLoader.LoadCertificateFromFile(path)   // no key anywhere: refused below, by name
                    : string.IsNullOrEmpty(password)
                        ? X509Certificate2.CreateFromPemFile(path, keyFile)
                        : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyFile);

                // A key from PEM is ephemeral; SslStream on some platforms needs it exported and re-imported as PKCS#12.
                certificate = pem.HasPrivateKey
                    ? X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.EphemeralKeySet)
                    : X509CertificateLoader.LoadCertificate(pem.RawData);
            }
        }
        catch (CryptographicException ex)
        {
            throw new TlsConfigurationException($"{SectionName}: could not read the certificate {path}{(keyPath is null ? "" : $" with the key {keyPath}")}: {ex.Message}");
        }

        if (!certificate.HasPrivateKey)
        {
            var subject = certificate.Subject;
            certificate.Dispose();
            throw new TlsConfigurationException(
                $"{SectionName}: the certificate {path} ({subject}) has no private key: give a PFX with its key, a PEM with the key in it, or {SectionName}:KeyPath.");
        }

        return certificate;
    }

    private static void RequireFile(string path, string setting)
    {
        if (!File.Exists(path))
        {
            throw new TlsConfigurationException($"{SectionName}:{setting}: the file {path} does not exist.");
        }
    }

    private string? InDirectory(string file) => CertificateDirectory is { Length: > 0 } directory ? Path.Combine(directory, file) : null;
}

/// <summary>Checks <see cref="ClusterTlsOptions"/>: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class ClusterTlsOptionsValidator : IValidateOptions<ClusterTlsOptions>;

/// <summary>The TLS settings name a file that is missing or does not hold what they say.</summary>
public sealed class TlsConfigurationException(string message) : Exception(message);

/// <summary>A process's certificate and the authorities it trusts in its peers.</summary>
public sealed class ClusterCredentials(X509Certificate2 certificate, X509Certificate2Collection authorities) : IDisposable
{
    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>Certificates a peer's certificate must chain to.</summary>
    public X509Certificate2Collection Authorities { get; } = authorities;

    /// <summary>True when <paramref name="peer"/> chains to one of <see cref="Authorities"/> (signatures and validity
    /// dates checked; revocation and host names not); otherwise <paramref name="reason"/> says why not.</summary>
    public bool IsTrusted(X509Certificate2 peer, out string? reason)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (chain.Build(peer))
        {
            reason = null;
            return true;
        }

        var problems = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        reason = $"{peer.Subject} (thumbprint {peer.Thumbprint}) does not chain to the cluster's authority: {string.Join("; ", problems)}";
        return false;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var authority in Authorities)
        {
            authority.Dispose();
        }
    }
}
