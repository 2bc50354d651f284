namespace QualityHub.Worker;

/// <summary>The portal's side of its workers (section <c>Inference</c>, beside the in-process engine's settings).</summary>
public sealed class PortalWorkerOptions
{
    /// <summary>
    /// The workers that run models for this portal (<c>Inference:Workers:0</c> …, each <c>http://host:port</c> or
    /// <c>unix:/path</c>); none (the default) runs them in the portal's own process.
    /// </summary>
    public List<string> Workers { get; set; } = [];

    /// <summary>How long one call to a worker may take before it counts as not answering, in seconds.</summary>
    public int WorkerTimeoutSeconds { get; set; } = 60;

    /// <summary>How long a worker that stopped answering is left alone before it is tried again, in seconds.</summary>
    public int WorkerRetrySeconds { get; set; } = 10;

    /// <summary>
    /// The key the portal and its workers share (<c>Inference:WorkerKey</c>, or <c>QUALITYHUB_WORKER_KEY</c>): workers
    /// present it to fetch models, the portal presents it on every call to a worker. Unset: no worker is served.
    /// </summary>
    public string? WorkerKey { get; set; }

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
            var valid = address.StartsWith("unix:/", StringComparison.Ordinal)
                || (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");
            if (!valid)
            {
                problems.Add($"Inference:Workers: '{address}' is not a worker address (http://host:port, https://host:port or unix:/path).");
            }
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
