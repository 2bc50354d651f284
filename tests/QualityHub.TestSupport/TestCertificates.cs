using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace QualityHub.TestSupport;

/// <summary>
/// A private certificate authority made for one test class, as PEM files the way an operator would hand them over: a
/// worker certificate for 127.0.0.1 and localhost, a portal client certificate, and the ones an attacker or a mistake
/// brings (another authority's client, a worker certificate for another name, an expired one).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly TempFolder folder = new("qualityhub-tls-tests-");

    public TestCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = Authority("CN=QualityHub test CA", now);
        using var other = Authority("CN=Another CA", now);
        Ca = WriteCertificate("ca.pem", ca);
        OtherCa = WriteCertificate("other-ca.pem", other);
        Worker = Issue("worker", ca, ServerAuthentication, ["localhost"], [IPAddress.Loopback], now.AddDays(-1), now.AddDays(30));
        Portal = Issue("portal", ca, ClientAuthentication, [], [], now.AddDays(-1), now.AddDays(30));
        Stranger = Issue("stranger", other, ClientAuthentication, [], [], now.AddDays(-1), now.AddDays(30));
        ElsewhereWorker = Issue("elsewhere", ca, ServerAuthentication, ["gpu-7.example"], [IPAddress.Parse("10.0.0.7")], now.AddDays(-1), now.AddDays(30));
        Expired = Issue("expired", ca, ServerAuthentication, ["localhost"], [IPAddress.Loopback], now.AddDays(-20), now.AddDays(-2));
        using var intermediate = Intermediate("CN=QualityHub test issuing CA", ca, now);
        WorkerViaIntermediate = WithIssuer(Issue("worker-via-intermediate", intermediate, ServerAuthentication, ["localhost"], [IPAddress.Loopback], now.AddDays(-1), now.AddDays(30)), intermediate);
        PortalViaIntermediate = WithIssuer(Issue("portal-via-intermediate", intermediate, ClientAuthentication, [], [], now.AddDays(-1), now.AddDays(30)), intermediate);
    }

    /// <summary>The authority's certificate (PEM).</summary>
    public string Ca { get; }

    public string OtherCa { get; }

    public (string Certificate, string Key) Worker { get; }

    public (string Certificate, string Key) Portal { get; }

    /// <summary>A client certificate of another authority.</summary>
    public (string Certificate, string Key) Stranger { get; }

    /// <summary>A worker certificate of the right authority for another host.</summary>
    public (string Certificate, string Key) ElsewhereWorker { get; }

    public (string Certificate, string Key) Expired { get; }

    /// <summary>A worker certificate issued by an intermediate authority of <see cref="Ca"/>, the intermediate after it in the file.</summary>
    public (string Certificate, string Key) WorkerViaIntermediate { get; }

    /// <summary>A portal client certificate issued by the same intermediate, which follows it in the file.</summary>
    public (string Certificate, string Key) PortalViaIntermediate { get; }

    public string File(string name) => folder.File(name);

    /// <summary>Worker:Tls settings: the worker's certificate, and for mutual TLS the authority its callers' certificates come from.</summary>
    public Dictionary<string, string?> WorkerSettings(bool mutual, (string Certificate, string Key)? certificate = null)
    {
        var (cert, key) = certificate ?? Worker;
        var settings = new Dictionary<string, string?> { ["Worker:Tls:Certificate"] = cert, ["Worker:Tls:Key"] = key };
        if (mutual)
        {
            settings["Worker:Tls:ClientCa"] = Ca;
        }

        return settings;
    }

    public void Dispose() => folder.Dispose();

    private static X509Certificate2 Authority(string name, DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256); // signs the issued certificates: kept with the authority's
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-30), now.AddDays(365));
    }

    private static X509Certificate2 Intermediate(string name, X509Certificate2 root, DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var issued = request.Create(root, now.AddDays(-20), now.AddDays(300), RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }

    // The issuer's certificate appended to the issued one's file, as a chain is handed over.
    private static (string Certificate, string Key) WithIssuer((string Certificate, string Key) issued, X509Certificate2 issuer)
    {
        System.IO.File.AppendAllText(issued.Certificate, "\n" + issuer.ExportCertificatePem() + "\n");
        return issued;
    }

    private (string Certificate, string Key) Issue(
        string name, X509Certificate2 authority, string purpose, string[] hosts, IPAddress[] addresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(purpose)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (hosts.Length + addresses.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var host in hosts)
            {
                names.AddDnsName(host);
            }

            foreach (var address in addresses)
            {
                names.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        using var issued = request.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        var certificatePath = WriteCertificate($"{name}.pem", issued);
        var keyPath = folder.File($"{name}.key");
        System.IO.File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    private string WriteCertificate(string name, X509Certificate2 certificate)
    {
        var path = folder.File(name);
        System.IO.File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
