namespace QualityHub.Worker;

/// <summary>How a worker serves (section <c>Worker</c>; the engine's own settings stay under <c>Inference</c>).</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>The version of QualityHub's worker protocol; a portal refuses a worker that names another.</summary>
    public const string Protocol = "qualityhub-worker/1";

    /// <summary>The shared key the portal presents on every call (at least 16 characters; never on a command line).</summary>
    public string Key { get; set; } = "";

    /// <summary>The portal models are fetched from by content hash (its <c>/worker/models/{sha256}</c>).</summary>
    public string? PortalUrl { get; set; }

    /// <summary>Where fetched models are kept, one file per content hash.</summary>
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "qualityhub-worker-models");

    /// <summary>
    /// A content store on this machine to read models from instead of fetching them (the portal's own, for the worker
    /// it starts itself): a model's file is <c>{StoreDirectory}/{first two digits}/{the rest}</c> of its hash, and is
    /// checked against that hash before its first use. Unset: models are fetched from <see cref="PortalUrl"/>.
    /// </summary>
    public string? StoreDirectory { get; set; }

    /// <summary>For tests only: the content hash of a model whose run makes the worker abort (<see cref="TestCrashHook"/>).</summary>
    public string? TestCrashOnModel { get; set; }

    /// <summary>The largest request the worker reads, in MiB; a bigger one is refused before it is read whole.</summary>
    public int MaxRequestMb { get; set; } = 64;

    /// <summary>The largest model file the worker fetches, in MiB.</summary>
    public int MaxModelMb { get; set; } = 2048;

    /// <summary>TLS on the worker's TCP port, mutual when <see cref="WorkerTlsOptions.ClientCa"/> is set; unset: HTTP/2 without TLS.</summary>
    public WorkerTlsOptions Tls { get; set; } = new();

    public const int MinimumKeyLength = 16;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Key.Length < MinimumKeyLength)
        {
            problems.Add($"Worker:Key must be at least {MinimumKeyLength} characters: the portal and its workers share it (QUALITYHUB_WORKER_KEY or --key-file).");
        }

        if (PortalUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            problems.Add($"Worker:PortalUrl must be an http or https address, not '{url}'.");
        }

        if (MaxRequestMb is < 1 or > 2047)
        {
            problems.Add($"Worker:MaxRequestMb must be between 1 and 2047, not {MaxRequestMb}.");
        }

        if (MaxModelMb is < 1 or > 16_384)
        {
            problems.Add($"Worker:MaxModelMb must be between 1 and 16384, not {MaxModelMb}.");
        }

        if (!string.IsNullOrEmpty(Tls.ClientCa) && (string.IsNullOrEmpty(Tls.Certificate) || string.IsNullOrEmpty(Tls.Key)))
        {
            problems.Add("Worker:Tls:ClientCa (mutual TLS) needs the worker's own Worker:Tls:Certificate and Worker:Tls:Key.");
        }

        return problems;
    }
}
