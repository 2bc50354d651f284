using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QualityHub.Worker;

namespace QualityHub.Cli.Commands;

/// <summary>
/// Serves the engine to a portal over the open inference protocol (gRPC over HTTP/2: on a TCP port with TLS, mutual
/// with --client-ca, or without it on a trusted network; or on a Unix socket), fetching models by content hash from the
/// portal. Runs until stopped (Ctrl+C or SIGTERM).
/// </summary>
internal sealed class WorkerCommand : ICliCommand
{
    public string Name => "worker";

    public string Summary => "Serve models to a portal over the open inference protocol (KServe v2, gRPC); the key comes from --key-file or QUALITYHUB_WORKER_KEY.";

    public string Usage => "(--listen HOST:PORT | --socket PATH) --portal URL [--key-file PATH] [--cache DIR] [--tls-cert PEM --tls-key PEM [--client-ca PEM]]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "listen", "socket", "portal", "key-file", "cache", "tls-cert", "tls-key", "client-ca" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var endpoint = EndpointOf(context.Args.Get("listen"), context.Args.Get("socket"));
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in context.Args.Settings)
        {
            var pair = setting.TrimStart('-').Split('=', 2);
            settings[pair[0]] = pair.Length > 1 ? pair[1] : "";
        }

        // The key never on the command line (every user of the machine can read a process's arguments).
        var key = context.Args.Get("key-file") is { } keyFile
            ? File.Exists(keyFile) ? (await File.ReadAllTextAsync(keyFile, cancellationToken)).Trim() : throw new UsageException($"The key file '{keyFile}' does not exist.")
            : Environment.GetEnvironmentVariable(PortalWorkerOptions.KeyVariable);
        if (!string.IsNullOrEmpty(key))
        {
            settings[$"{WorkerOptions.SectionName}:Key"] = key;
        }

        if (context.Args.Get("portal") is { } portal)
        {
            settings[$"{WorkerOptions.SectionName}:PortalUrl"] = portal;
        }

        if (context.Args.Get("cache") is { } cache)
        {
            settings[$"{WorkerOptions.SectionName}:CacheDirectory"] = Path.GetFullPath(cache);
        }

        // TLS on the TCP port; with --client-ca only callers with a certificate of that authority get in (mutual TLS).
        foreach (var (option, setting) in new[] { ("tls-cert", "Certificate"), ("tls-key", "Key"), ("client-ca", "ClientCa") })
        {
            if (context.Args.Get(option) is { } file)
            {
                settings[$"{WorkerOptions.SectionName}:Tls:{setting}"] = Path.GetFullPath(file);
            }
        }

        WebApplication app;
        try
        {
            app = WorkerHost.Build(endpoint, settings, logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        }
        catch (InvalidOperationException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return 1;
        }

        await using (app)
        {
            await app.StartAsync(cancellationToken);
            await context.Out.WriteLineAsync($"worker listening on {endpoint} (protocol {WorkerOptions.Protocol}); Ctrl+C stops it");
            await app.WaitForShutdownAsync(cancellationToken);
        }

        return 0;
    }

    private static WorkerEndpoint EndpointOf(string? listen, string? socket)
    {
        if ((listen is null) == (socket is null))
        {
            throw new UsageException("Give one of --listen HOST:PORT and --socket PATH.");
        }

        if (socket is not null)
        {
            return WorkerEndpoint.OnUnixSocket(Path.GetFullPath(socket));
        }

        var colon = listen!.LastIndexOf(':');
        if (colon <= 0 || !IPAddress.TryParse(listen[..colon].Trim('[', ']'), out var address)
            || !int.TryParse(listen[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new UsageException($"--listen takes an IP address and a port, e.g. 127.0.0.1:7070, not '{listen}'.");
        }

        return WorkerEndpoint.OnTcp(address, port);
    }
}
