using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Inference;
using QualityHub.Inference.Engine;

namespace QualityHub.Worker;

/// <summary>Where a worker listens: a TCP address (HTTP/2, with TLS when <c>Worker:Tls</c> is set) or a Unix socket on this machine.</summary>
public sealed record WorkerEndpoint(IPEndPoint? Tcp, string? UnixSocket)
{
    public static WorkerEndpoint OnTcp(IPAddress address, int port) => new(new IPEndPoint(address, port), null);

    public static WorkerEndpoint OnUnixSocket(string path) => new(null, path);

    /// <summary>The address a client connects to: <c>http://host:port</c> or <c>unix:/path</c>.</summary>
    public string ClientAddress => Tcp is { } tcp
        ? $"http://{(tcp.Address.Equals(IPAddress.Any) ? "127.0.0.1" : tcp.Address.ToString())}:{tcp.Port}"
        : $"unix:{UnixSocket}";

    public override string ToString() => Tcp?.ToString() ?? $"unix:{UnixSocket}";
}

/// <summary>The worker process: the engine and the open inference protocol over gRPC, for the portal only.</summary>
public static class WorkerHost
{
    /// <summary>
    /// A worker listening on <paramref name="endpoint"/>, with settings from <paramref name="settings"/> over the
    /// environment (<c>Worker__Key</c>, <c>Inference__Provider</c> …). Stops with the settings' problems named.
    /// </summary>
    public static WebApplication Build(WorkerEndpoint endpoint, IEnumerable<KeyValuePair<string, string?>> settings, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        var options = builder.Configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>() ?? new WorkerOptions();
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        var tls = LoadTls(options.Tls, endpoint);

        // A line per request would cost more than many a model's compute: ASP.NET Core's own logs say only what went wrong
        // (Logging:LogLevel:Microsoft.AspNetCore=Information brings them back).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = (long)options.MaxRequestMb * 1024 * 1024;
            kestrel.AddServerHeader = false;
            if (endpoint.UnixSocket is { } socket)
            {
                if (File.Exists(socket))
                {
                    File.Delete(socket); // a socket file left by a worker that did not stop cleanly
                }

                kestrel.ListenUnixSocket(socket, o => o.Protocols = HttpProtocols.Http2);
            }
            else
            {
                kestrel.Listen(endpoint.Tcp!, o =>
                {
                    o.Protocols = HttpProtocols.Http2;
                    if (tls is not null)
                    {
                        o.UseHttps(tls);
                    }
                });
            }
        });

        builder.Services.Configure<WorkerOptions>(builder.Configuration.GetSection(WorkerOptions.SectionName));
        builder.Services.AddQualityHubInference(builder.Configuration);
        builder.Services.AddSingleton(services => new ModelCache(
            services.GetRequiredService<IOptions<WorkerOptions>>(),
            new HttpClient { Timeout = TimeSpan.FromMinutes(10) },
            services.GetRequiredService<ILogger<ModelCache>>()));
        builder.Services.AddSingleton<WorkerKeyInterceptor>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxRequestMb * 1024 * 1024;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<WorkerKeyInterceptor>();
            if (!string.IsNullOrEmpty(options.TestCrashOnModel))
            {
                grpc.Interceptors.Add<TestCrashHook>();
            }
        });

        var app = builder.Build();
        app.MapGrpcService<InferenceProtocolService>();
        app.MapGrpcService<WorkerInfoService>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var engine = app.Services.GetRequiredService<InferenceEngine>();
            var security = tls is null ? "no TLS" : tls.ClientCertificateMode == ClientCertificateMode.RequireCertificate ? "mutual TLS" : "TLS";
            app.Logger.LogInformation("QualityHub worker on {Endpoint} ({Security}): {Provider}, models cached in {Cache}", endpoint, security,
                engine.Provider.Provider?.ToString() ?? "no provider", options.CacheDirectory);
            if (!string.IsNullOrEmpty(options.TestCrashOnModel))
            {
                app.Logger.LogWarning("Worker:TestCrashOnModel is set (tests only): this worker aborts when asked to run model {Model}", options.TestCrashOnModel);
            }
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            if (endpoint.UnixSocket is { } socket && File.Exists(socket))
            {
                File.Delete(socket);
            }
        });
        return app;
    }

    // The handshake's settings from Worker:Tls, or null for HTTP/2 without TLS; files that cannot be used stop the start, named.
    private static HttpsConnectionAdapterOptions? LoadTls(WorkerTlsOptions settings, WorkerEndpoint endpoint)
    {
        if (!settings.IsSet)
        {
            return null;
        }

        if (endpoint.UnixSocket is not null)
        {
            throw new InvalidOperationException("Worker:Tls applies to a TCP port (--listen): a Unix socket is reached only on this machine, through its file permissions.");
        }

        try
        {
            var https = new HttpsConnectionAdapterOptions
            {
                ServerCertificate = WorkerTls.LoadCertificate("Worker:Tls", settings.Certificate, settings.Key),
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            };
            if (WorkerTls.LoadIntermediates("Worker:Tls", settings.Certificate!) is { Count: > 0 } intermediates)
            {
                https.ServerCertificateChain = intermediates; // sent with the certificate: callers need trust only the root
            }

            if (!string.IsNullOrEmpty(settings.ClientCa))
            {
                var authorities = WorkerTls.LoadAuthorities("Worker:Tls:ClientCa", settings.ClientCa);
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, chain, _) =>
                    WorkerTls.ChainsTo(certificate, authorities, chain?.ChainPolicy.ExtraStore, WorkerTls.ClientAuthentication);
            }

            return https;
        }
        catch (WorkerTlsException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
