using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace QualityHub.Worker;

/// <summary>
/// TLS on a worker's TCP port (section <c>Worker:Tls</c>, PEM files): the worker's certificate and key, and, for mutual
/// TLS, the authorities whose client certificates it accepts — then only a caller holding such a certificate gets past
/// the handshake, before the shared key is even read.
/// </summary>
public sealed class WorkerTlsOptions
{
    /// <summary>The worker's certificate (PEM; intermediates may follow it in the file).</summary>
    public string? Certificate { get; set; }

    /// <summary>The certificate's private key (PEM, not encrypted: the file's permissions protect it).</summary>
    public string? Key { get; set; }

    /// <summary>One or more CA certificates (PEM): when set, a caller must present a client certificate issued by one of them.</summary>
    public string? ClientCa { get; set; }

    public bool IsSet => !string.IsNullOrEmpty(Certificate) || !string.IsNullOrEmpty(Key) || !string.IsNullOrEmpty(ClientCa);
}

/// <summary>
/// The portal's side of TLS to its workers (section <c>Inference:WorkerTls</c>, PEM files), for every <c>https://</c>
/// worker or server address: the authorities trusted for their certificates (instead of the system's) and the portal's
/// own client certificate for workers that ask for one.
/// </summary>
public sealed class PortalTlsOptions
{
    /// <summary>CA certificates (PEM) a worker's certificate must chain to; unset: the system's trusted authorities.</summary>
    public string? Ca { get; set; }

    /// <summary>The portal's client certificate (PEM), presented to workers that require one (mutual TLS).</summary>
    public string? Certificate { get; set; }

    /// <summary>The client certificate's private key (PEM, not encrypted).</summary>
    public string? Key { get; set; }

    public bool IsSet => !string.IsNullOrEmpty(Ca) || !string.IsNullOrEmpty(Certificate) || !string.IsNullOrEmpty(Key);
}

/// <summary>A setting's certificate or key file could not be used; the message names the setting and the file.</summary>
public sealed class WorkerTlsException(string message) : Exception(message);

/// <summary>Certificates from PEM files and chains checked against authorities of the operator's choosing.</summary>
public static class WorkerTls
{
    /// <summary>The extended key usage of a TLS server's certificate.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>The extended key usage of a TLS client's certificate.</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// The certificate of <paramref name="certificatePath"/> with the private key of <paramref name="keyPath"/>, current
    /// today; refused naming <paramref name="setting"/> when a file is missing or unreadable, the key is not the
    /// certificate's, or the certificate is not valid now.
    /// </summary>
    public static X509Certificate2 LoadCertificate(string setting, string? certificatePath, string? keyPath)
    {
        if (string.IsNullOrEmpty(certificatePath) || string.IsNullOrEmpty(keyPath))
        {
            throw new WorkerTlsException($"{setting}: Certificate and Key go together (both PEM files), not one without the other.");
        }

        X509Certificate2 certificate;
        try
        {
            using var fromPem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // Through PKCS#12 so the key is a persisted one, which TLS takes on every platform.
            certificate = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new WorkerTlsException($"{setting}: the certificate '{certificatePath}' with the key '{keyPath}' cannot be used: {e.Message}");
        }

        var now = DateTime.UtcNow;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            var span = $"{certificate.NotBefore.ToUniversalTime():yyyy-MM-dd} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}";
            certificate.Dispose();
            throw new WorkerTlsException($"{setting}: the certificate '{certificatePath}' is valid from {span} (UTC), not today.");
        }

        return certificate;
    }

    /// <summary>The certificates that follow the first in <paramref name="certificatePath"/>: the intermediates sent with it in the handshake.</summary>
    public static X509Certificate2Collection LoadIntermediates(string setting, string certificatePath)
    {
        var all = ReadPem(setting, certificatePath, "the certificate");
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            intermediates.Add(all[i]);
        }

        return intermediates;
    }

    /// <summary>The CA certificates of <paramref name="path"/> (PEM, at least one); refused naming <paramref name="setting"/>.</summary>
    public static X509Certificate2Collection LoadAuthorities(string setting, string path)
    {
        var authorities = ReadPem(setting, path, "the authorities");
        if (authorities.Count == 0)
        {
            throw new WorkerTlsException($"{setting}: '{path}' holds no certificate (a PEM file of CA certificates is expected).");
        }

        return authorities;
    }

    // Every certificate of a PEM file, in its order; a file that cannot be read is refused naming the setting.
    private static X509Certificate2Collection ReadPem(string setting, string path, string what)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new WorkerTlsException($"{setting}: {what} '{path}' cannot be read: {e.Message}");
        }

        return certificates;
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (the system's trusted
    /// authorities are not consulted) and may be used for <paramref name="purpose"/>; the peer's intermediates in
    /// <paramref name="intermediates"/>. Revocation is not checked: a private CA rarely publishes a revocation list —
    /// replace a compromised certificate by re-issuing from a new CA.
    /// </summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities, X509Certificate2Collection? intermediates, string purpose)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(purpose));
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        return chain.Build(certificate);
    }
}

/// <summary>The portal's TLS settings loaded once: the authorities it trusts for workers and its client certificate.</summary>
public sealed class WorkerTlsClient
{
    // The authorities a worker's certificate must chain to (null: the system's), and the client certificate the portal
    // presents (null: none) with the intermediates after it in its file, sent as given whatever this machine trusts.
    private readonly X509Certificate2Collection? authorities;
    private readonly SslStreamCertificateContext? certificateContext;

    private WorkerTlsClient(X509Certificate2Collection? authorities, X509Certificate2? certificate, X509Certificate2Collection? intermediates)
    {
        this.authorities = authorities;
        certificateContext = certificate is null ? null : SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    /// <summary>The settings' files loaded, or null when no TLS setting is made; a file that cannot be used is refused naming it.</summary>
    public static WorkerTlsClient? Load(PortalTlsOptions? options)
    {
        if (options is not { IsSet: true })
        {
            return null;
        }

        var authorities = string.IsNullOrEmpty(options.Ca) ? null : WorkerTls.LoadAuthorities("Inference:WorkerTls:Ca", options.Ca);
        var certificate = string.IsNullOrEmpty(options.Certificate) && string.IsNullOrEmpty(options.Key)
            ? null
            : WorkerTls.LoadCertificate("Inference:WorkerTls", options.Certificate, options.Key);
        var intermediates = certificate is null ? null : WorkerTls.LoadIntermediates("Inference:WorkerTls", options.Certificate!);
        return new WorkerTlsClient(authorities, certificate, intermediates);
    }

    /// <summary>How the portal's side of the handshake goes: its certificate offered, the worker's checked.</summary>
    public SslClientAuthenticationOptions ClientOptions()
    {
        var ssl = new SslClientAuthenticationOptions { ClientCertificateContext = certificateContext };
        if (authorities is { } trusted)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                // The name must still match; only the chain is judged against the configured authorities, not the system's.
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                if (certificate is X509Certificate2 presented)
                {
                    return WorkerTls.ChainsTo(presented, trusted, chain?.ChainPolicy.ExtraStore, WorkerTls.ServerAuthentication);
                }

                using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return WorkerTls.ChainsTo(copy, trusted, chain?.ChainPolicy.ExtraStore, WorkerTls.ServerAuthentication);
            };
        }

        return ssl;
    }
}
