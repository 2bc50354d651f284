namespace QualityHub.Worker;

/// <summary>The portal's side of its workers (section <c>Inference</c>, beside the in-process engine's settings).</summary>
public sealed class PortalWorkerOptions
{
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
}
