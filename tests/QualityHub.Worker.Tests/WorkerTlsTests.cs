using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;

namespace QualityHub.Worker.Tests;

/// <summary>
/// A worker on a TCP port over TLS, mutual when it names the authority of its callers: the portal with its client
/// certificate is served; a caller without one, with another authority's, or over plain HTTP is refused in the
/// handshake (before the key is read) while the worker serves on; the portal refuses a worker it does not trust or
/// one whose certificate names another host; certificate files that cannot be used stop the start, named.
/// </summary>
public sealed class WorkerTlsTests : IClassFixture<TestCertificates>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly float[] Item = [1, 2, 3, 4];
    private static readonly float[] Answer = [5.5f, 6f, 6.5f]; // tiny-classifier: [x0+x3+0.5, x1+x3, x2+x3-0.5]

    private readonly TestCertificates certificates;

    public WorkerTlsTests(TestCertificates certificates) => this.certificates = certificates;

    private WorkerTlsClient Portal(string? ca = null, (string Certificate, string Key)? certificate = null, bool withCertificate = true)
    {
        var (cert, key) = certificate ?? certificates.Portal;
        return WorkerTlsClient.Load(new PortalTlsOptions
        {
            Ca = ca ?? certificates.Ca,
            Certificate = withCertificate ? cert : null,
            Key = withCertificate ? key : null,
        })!;
    }

    private static async Task<float[]> InferAsync(WorkerClient client) =>
        (await client.InferAsync(RunningWorker.TinyClassifier, "pixels", Item, [1, 4], Timeout)).Outputs[0].Data;

    [Fact]
    public async Task Over_mutual_TLS_the_portal_with_its_certificate_is_served()
    {
        await using var worker = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: true));
        using var client = worker.Client(Portal());

        var described = await client.DescribeAsync(Timeout);

        Assert.StartsWith("https://127.0.0.1:", worker.ClientAddress);
        Assert.Equal(WorkerOptions.Protocol, described.Protocol);
        Assert.Equal(Answer, await InferAsync(client));
    }

    [Fact]
    public async Task Certificates_of_an_intermediate_authority_are_sent_with_it_so_both_sides_trust_only_the_root()
    {
        await using var worker = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: true, certificate: certificates.WorkerViaIntermediate));
        using var client = worker.Client(Portal(certificate: certificates.PortalViaIntermediate));

        Assert.Equal(Answer, await InferAsync(client));
    }

    [Fact]
    public async Task With_TLS_alone_a_portal_that_trusts_the_worker_needs_no_certificate_of_its_own()
    {
        await using var worker = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: false));
        using var client = worker.Client(Portal(withCertificate: false));

        Assert.Equal(Answer, await InferAsync(client));
    }

    [Fact]
    public async Task A_caller_without_a_client_certificate_or_with_another_authoritys_is_refused_and_the_worker_serves_on()
    {
        await using var worker = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: true));
        using var anonymous = worker.Client(Portal(withCertificate: false));
        using var stranger = worker.Client(Portal(certificate: certificates.Stranger));
        using var portal = worker.Client(Portal());

        var withoutCertificate = await Assert.ThrowsAsync<WorkerException>(() => InferAsync(anonymous));
        var withAnothers = await Assert.ThrowsAsync<WorkerException>(() => InferAsync(stranger));

        Assert.True(withoutCertificate.WorkerUnavailable, withoutCertificate.Message);
        Assert.True(withAnothers.WorkerUnavailable, withAnothers.Message);
        Assert.Contains(worker.ClientAddress, withoutCertificate.Message);
        Assert.All([withoutCertificate, withAnothers], e => Assert.Contains("check Inference:WorkerTls:Certificate and Key", e.Message));
        Assert.Empty(worker.PortalRequests); // refused before any model was fetched
        Assert.Equal(Answer, await InferAsync(portal));
    }

    [Fact]
    public async Task The_portal_refuses_a_worker_it_does_not_trust_and_one_whose_certificate_names_another_host()
    {
        await using var worker = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: false));
        await using var elsewhere = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: false, certificate: certificates.ElsewhereWorker));
        using var systemTrust = worker.Client(tls: null);
        using var otherAuthority = worker.Client(Portal(ca: certificates.OtherCa, withCertificate: false));
        using var wrongName = elsewhere.Client(Portal(withCertificate: false));

        var untrusted = await Assert.ThrowsAsync<WorkerException>(() => InferAsync(systemTrust));
        var otherRoot = await Assert.ThrowsAsync<WorkerException>(() => InferAsync(otherAuthority));
        var misnamed = await Assert.ThrowsAsync<WorkerException>(() => InferAsync(wrongName));

        Assert.All([untrusted, otherRoot, misnamed], e => Assert.Contains("the worker's TLS certificate was not accepted: Inference:WorkerTls:Ca names the authority", e.Message));
        Assert.All([untrusted, otherRoot, misnamed], e => Assert.True(e.WorkerUnavailable, e.Message));
        Assert.Empty(worker.PortalRequests);
        Assert.Empty(elsewhere.PortalRequests);
    }

    [Fact]
    public async Task Plain_HTTP_to_a_TLS_worker_is_refused_and_the_worker_serves_on()
    {
        await using var worker = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: true));
        using var plain = worker.Client(Portal(), address: worker.ClientAddress.Replace("https://", "http://", StringComparison.Ordinal));

        var refused = await Assert.ThrowsAsync<WorkerException>(() => InferAsync(plain));

        Assert.True(refused.WorkerUnavailable, refused.Message);
        Assert.Contains("it is reached at https://, not http://", refused.Message);
        using var portal = worker.Client(Portal());
        Assert.Equal(Answer, await InferAsync(portal));
    }

    [Fact]
    public async Task The_portals_pool_reaches_a_mutual_TLS_worker_with_its_settings()
    {
        await using var worker = RunningWorker.OnTcp(certificates.WorkerSettings(mutual: true));
        using var pool = new WorkerPool(
            Options.Create(new PortalWorkerOptions
            {
                Workers = [worker.ClientAddress],
                WorkerKey = RunningWorker.Key,
                WorkerTls = new PortalTlsOptions { Ca = certificates.Ca, Certificate = certificates.Portal.Certificate, Key = certificates.Portal.Key },
            }),
            TimeProvider.System,
            NullLogger<WorkerPool>.Instance);

        var answer = await pool.InferAsync(new ModelSpec(RunningWorker.TinyClassifier, "not read: workers fetch by hash", "tiny-classifier"), Item, [4]);

        Assert.Equal(Answer, answer.Outputs[0].Data);
        Assert.True(Assert.Single(pool.States()).Up);
    }

    public static TheoryData<string, string> BadWorkerSettings => new()
    {
        { "key-of-another", "Worker:Tls: the certificate" },
        { "missing-certificate", "Worker:Tls: the certificate" },
        { "certificate-without-key", "Worker:Tls: Certificate and Key go together" },
        { "client-ca-alone", "Worker:Tls:ClientCa (mutual TLS) needs the worker's own Worker:Tls:Certificate and Worker:Tls:Key" },
        { "client-ca-not-pem", "Worker:Tls:ClientCa: '" },
        { "expired", "is valid from" },
    };

    [Theory]
    [MemberData(nameof(BadWorkerSettings))]
    public void A_worker_whose_certificate_files_cannot_be_used_does_not_start_and_says_which(string @case, string expected)
    {
        var notPem = certificates.File("not-pem.txt");
        File.WriteAllText(notPem, "this is no certificate");
        var settings = new Dictionary<string, string?>
        {
            ["Worker:Key"] = RunningWorker.Key,
            ["Worker:Tls:Certificate"] = certificates.Worker.Certificate,
            ["Worker:Tls:Key"] = certificates.Worker.Key,
        };
        switch (@case)
        {
            case "key-of-another": settings["Worker:Tls:Key"] = certificates.Portal.Key; break;
            case "missing-certificate": settings["Worker:Tls:Certificate"] = certificates.File("nowhere.pem"); break;
            case "certificate-without-key": settings.Remove("Worker:Tls:Key"); break;
            case "client-ca-alone": settings.Remove("Worker:Tls:Certificate"); settings.Remove("Worker:Tls:Key"); settings["Worker:Tls:ClientCa"] = certificates.Ca; break;
            case "client-ca-not-pem": settings["Worker:Tls:ClientCa"] = notPem; break;
            case "expired": (settings["Worker:Tls:Certificate"], settings["Worker:Tls:Key"]) = certificates.Expired; break;
        }

        var refused = Assert.Throws<InvalidOperationException>(() => WorkerHost.Build(WorkerEndpoint.OnTcp(System.Net.IPAddress.Loopback, LoopbackPorts.Free()), settings));

        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public void TLS_on_a_Unix_socket_is_refused_as_meaningless()
    {
        using var folder = new TempFolder();
        var settings = new Dictionary<string, string?>(certificates.WorkerSettings(mutual: true)) { ["Worker:Key"] = RunningWorker.Key };

        var refused = Assert.Throws<InvalidOperationException>(() => WorkerHost.Build(WorkerEndpoint.OnUnixSocket(folder.File("w.sock")), settings));

        Assert.Contains("Worker:Tls applies to a TCP port", refused.Message);
    }

    [Fact]
    public void The_portals_TLS_files_that_cannot_be_used_are_named_among_its_problems()
    {
        var problems = new Func<PortalTlsOptions, IReadOnlyList<string>>(tls => new PortalWorkerOptions { WorkerTls = tls }.Problems());

        Assert.Contains(problems(new PortalTlsOptions { Certificate = certificates.Portal.Certificate }), p => p.StartsWith("Inference:WorkerTls: Certificate and Key go together", StringComparison.Ordinal));
        Assert.Contains(problems(new PortalTlsOptions { Ca = certificates.File("nowhere.pem") }), p => p.StartsWith("Inference:WorkerTls:Ca: the authorities", StringComparison.Ordinal));
        Assert.Contains(problems(new PortalTlsOptions { Certificate = certificates.Portal.Certificate, Key = certificates.Worker.Key }), p => p.StartsWith("Inference:WorkerTls: the certificate", StringComparison.Ordinal));
        Assert.Empty(problems(new PortalTlsOptions { Ca = certificates.Ca, Certificate = certificates.Portal.Certificate, Key = certificates.Portal.Key }));
    }
}
