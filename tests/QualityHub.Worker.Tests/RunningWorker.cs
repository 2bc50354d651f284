using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace QualityHub.Worker.Tests;

/// <summary>
/// A worker started for one test, on a Unix socket (or a loopback port), with a stand-in portal on another loopback
/// port that serves model files by content hash to callers with the worker key, as the real portal does, and counts
/// what it was asked for.
/// </summary>
public sealed class RunningWorker : IAsyncDisposable
{
    public const string Key = "worker-key-for-tests-0123456789";

    private readonly TempFolder folder = new("qualityhub-worker-tests-");
    private readonly WebApplication portal;
    private readonly WebApplication worker;

    public static string TinyClassifierPath { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Models", "tiny-classifier.onnx");

    public static string TinyClassifier { get; } = Sha256Of(File.ReadAllBytes(TinyClassifierPath));

    /// <summary>What the stand-in portal serves, by name; a test may put in bytes that do not match their name.</summary>
    public ConcurrentDictionary<string, byte[]> PortalModels { get; } = new(StringComparer.Ordinal);

    /// <summary>Every model name the portal was asked for, in order.</summary>
    public ConcurrentQueue<string> PortalRequests { get; } = new();

    public string CacheDirectory => folder.File("cache");

    private readonly string socket;

    private RunningWorker(bool useSocket, IDictionary<string, string?> more)
    {
        socket = folder.File("worker.sock");
        PortalModels[TinyClassifier] = File.ReadAllBytes(TinyClassifierPath);
        portal = StartPortal();
        var settings = new Dictionary<string, string?>
        {
            ["Worker:Key"] = Key,
            ["Worker:PortalUrl"] = portal.Urls.First(),
            ["Worker:CacheDirectory"] = CacheDirectory,
            ["Inference:Provider"] = "Cpu",
            ["Inference:IntraOpThreads"] = "1",
        };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        var endpoint = useSocket ? WorkerEndpoint.OnUnixSocket(socket) : WorkerEndpoint.OnTcp(IPAddress.Loopback, LoopbackPorts.Free());
        worker = WorkerHost.Build(endpoint, settings, logging => logging.SetMinimumLevel(LogLevel.Warning));
        worker.StartAsync().GetAwaiter().GetResult();
        if (!useSocket)
        {
            // Over TLS the address says so; the test certificates name 127.0.0.1.
            tcpAddress = settings.ContainsKey("Worker:Tls:Certificate") ? endpoint.ClientAddress.Replace("http://", "https://", StringComparison.Ordinal) : endpoint.ClientAddress;
        }
    }

    private readonly string? tcpAddress;

    public string ClientAddress => tcpAddress ?? $"unix:{socket}";

    public static RunningWorker OnUnixSocket(IDictionary<string, string?>? settings = null) => new(true, settings ?? new Dictionary<string, string?>());

    public static RunningWorker OnTcp(IDictionary<string, string?>? settings = null) => new(false, settings ?? new Dictionary<string, string?>());

    public WorkerClient Client(string key = Key) => new(ClientAddress, key);

    /// <summary>A client over TLS as <paramref name="tls"/> says (the portal's Inference:WorkerTls), at <paramref name="address"/> or the worker's own.</summary>
    public WorkerClient Client(WorkerTlsClient? tls, string? address = null) => new(address ?? ClientAddress, Key, tls: tls);

    public IServiceProvider Services => worker.Services;

    public string PortalUrl => portal.Urls.First();

    public static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private WebApplication StartPortal()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{LoopbackPorts.Free()}");
        var app = builder.Build();
        app.MapGet("/worker/models/{name}", (string name, HttpRequest request) =>
        {
            PortalRequests.Enqueue(name);
            if (request.Headers[WorkerKeyInterceptor.Header] != Key)
            {
                return Results.StatusCode(401);
            }

            return PortalModels.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Results.NotFound();
        });
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await worker.DisposeAsync();
        await portal.DisposeAsync();
        folder.Dispose();
    }
}
