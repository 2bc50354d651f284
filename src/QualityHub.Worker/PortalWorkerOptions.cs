namespace QualityHub.Worker;

/// <summary>
/// A server of any make that speaks the open inference protocol over gRPC (Triton, KServe …; <c>Inference:Servers:N</c>),
/// serving models that are registered in the portal too: <see cref="Models"/> maps each by the portal's name
/// (<c>module/version</c>) or content hash to the server's name (<c>name</c>, or <c>name:version</c> for one of its
/// versions). Only mapped models go there, and there first, so a version already deployed is evaluated where it serves.
/// </summary>
public sealed class ProtocolServer
{
    /// <summary><c>http://host:port</c> (its gRPC port, e.g. Triton's 8001), <c>https://…</c> or <c>unix:/path</c>.</summary>
    public string Address { get; set; } = "";

    /// <summary>The portal's model (<c>module/version</c> or SHA-256) → the server's (<c>name</c> or <c>name:version</c>).</summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Sent as the worker key header when set (a QualityHub worker addressed as a plain server, or a proxy that checks
    /// it); the portal's own key is never sent to a server of another maker.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>The server's name and version for the portal's model named <paramref name="displayName"/> (or <paramref name="key"/>), or null when it does not serve it.</summary>
    public (string Name, string Version)? NameOf(string displayName, string key)
    {
        if (!Models.TryGetValue(displayName, out var mapped) && !Models.TryGetValue(key, out mapped))
        {
            return null;
        }

        var colon = mapped.LastIndexOf(':');
        return colon > 0 ? (mapped[..colon], mapped[(colon + 1)..]) : (mapped, "");
    }
}

/// <summary>The portal's side of its workers (section <c>Inference</c>, beside the in-process engine's settings).</summary>
public sealed class PortalWorkerOptions
{
    /// <summary>
    /// The workers that run models for this portal (<c>Inference:Workers:0</c> …, each <c>http://host:port</c> or
    /// <c>unix:/path</c>); none (the default) runs them in the portal's own process.
    /// </summary>
    public List<string> Workers { get; set; } = [];

    /// <summary>Servers of any make that speak the open inference protocol, each with the models it serves.</summary>
    public List<ProtocolServer> Servers { get; set; } = [];

    /// <summary>How long one call to a worker may take before it counts as not answering, in seconds.</summary>
    public int WorkerTimeoutSeconds { get; set; } = 60;

    /// <summary>How long a worker that stopped answering is left alone before it is tried again, in seconds.</summary>
    public int WorkerRetrySeconds { get; set; } = 10;

    /// <summary>
    /// The key the portal and its workers share (<c>Inference:WorkerKey</c>, or <c>QUALITYHUB_WORKER_KEY</c>): workers
    /// present it to fetch models, the portal presents it on every call to a worker. Unset: no worker is served.
    /// </summary>
    public string? WorkerKey { get; set; }

    /// <summary>TLS to <c>https://</c> workers and servers: the authorities trusted for them, the portal's client certificate.</summary>
    public PortalTlsOptions WorkerTls { get; set; } = new();

    /// <summary>
    /// <c>none</c> (the default): models run where <see cref="Workers"/> says. <c>process</c>: the portal also starts a
    /// worker of its own as a child process on a Unix socket, and runs models there rather than in its own process, so a
    /// model that crashes the native runtime or runs out of memory takes down that child, not the portal.
    /// </summary>
    public string Isolation { get; set; } = IsolationNone;

    public const string IsolationNone = "none";

    public const string IsolationProcess = "process";

    /// <summary>True when the portal runs its own worker as a child process.</summary>
    public bool IsolatesInProcess => string.Equals(Isolation, IsolationProcess, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The memory the isolated worker may write to, in MiB, enforced by the operating system (its data size limit,
    /// <c>RLIMIT_DATA</c>): beyond it an allocation fails in the worker, never in the portal. 0: no limit.
    /// </summary>
    public int WorkerMemoryMb { get; set; }

    /// <summary>The smallest memory limit a worker starts with (its runtime alone takes about 100 MiB).</summary>
    public const int MinimumWorkerMemoryMb = 192;

    /// <summary>The environment variable that may hold the key instead of the settings.</summary>
    public const string KeyVariable = "QUALITYHUB_WORKER_KEY";

    /// <summary>The key from the settings, else from <see cref="KeyVariable"/>; null when neither is set.</summary>
    public string? ResolveKey() =>
        !string.IsNullOrEmpty(WorkerKey) ? WorkerKey : Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;

    /// <summary>What cannot work, named by setting; empty when the workers can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var key = ResolveKey();
        if (Workers.Count > 0 && key is null)
        {
            problems.Add($"Inference:Workers needs Inference:WorkerKey (or {KeyVariable}), the key the workers were started with.");
        }

        if (key is not null && key.Length < WorkerOptions.MinimumKeyLength)
        {
            problems.Add($"Inference:WorkerKey (or {KeyVariable}) must be at least {WorkerOptions.MinimumKeyLength} characters: it is all that stands between the models and anyone who can reach the portal.");
        }

        foreach (var address in Workers)
        {
            if (!WorkerChannel.IsAddress(address))
            {
                problems.Add($"Inference:Workers: '{address}' is not a worker address (http://host:port, https://host:port or unix:/path).");
            }
        }

        if (!IsolatesInProcess && !string.Equals(Isolation, IsolationNone, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"Inference:Isolation is '{IsolationNone}' or '{IsolationProcess}', not '{Isolation}'.");
        }

        if (WorkerMemoryMb != 0 && (WorkerMemoryMb < MinimumWorkerMemoryMb || WorkerMemoryMb > 1024 * 1024))
        {
            problems.Add($"Inference:WorkerMemoryMb is 0 (no limit) or between {MinimumWorkerMemoryMb} and {1024 * 1024}, not {WorkerMemoryMb}.");
        }

        if (WorkerMemoryMb != 0 && !IsolatesInProcess)
        {
            problems.Add($"Inference:WorkerMemoryMb limits the portal's own worker: it needs Inference:Isolation={IsolationProcess} (a remote worker's limit is set where it runs).");
        }

        if (IsolatesInProcess && !OperatingSystem.IsLinux())
        {
            problems.Add($"Inference:Isolation={IsolationProcess} needs Linux (a Unix socket and the data size limit); run a worker (qualityhub worker) and list it in Inference:Workers instead.");
        }

        foreach (var server in Servers)
        {
            if (!WorkerChannel.IsAddress(server.Address))
            {
                problems.Add($"Inference:Servers: '{server.Address}' is not a server address (http://host:port, https://host:port or unix:/path).");
            }

            if (server.Models.Count == 0 || server.Models.Any(m => string.IsNullOrWhiteSpace(m.Key) || string.IsNullOrWhiteSpace(m.Value)))
            {
                problems.Add($"Inference:Servers: '{server.Address}' needs Models, each the portal's module/version (or SHA-256) → the server's model name.");
            }
        }

        try
        {
            WorkerTlsClient.Load(WorkerTls);
        }
        catch (WorkerTlsException e)
        {
            problems.Add(e.Message);
        }

        if (WorkerTimeoutSeconds is < 1 or > 3600)
        {
            problems.Add($"Inference:WorkerTimeoutSeconds must be between 1 and 3600, not {WorkerTimeoutSeconds}.");
        }

        if (WorkerRetrySeconds is < 1 or > 3600)
        {
            problems.Add($"Inference:WorkerRetrySeconds must be between 1 and 3600, not {WorkerRetrySeconds}.");
        }

        return problems;
    }
}
