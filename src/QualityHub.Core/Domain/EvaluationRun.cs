namespace QualityHub.Core.Domain;

/// <summary>One model version evaluated on one dataset, offline.</summary>
public sealed class EvaluationRun
{
    public int Id { get; set; }
    public int ModelVersionId { get; set; }
    public ModelVersion? ModelVersion { get; set; }
    public int DatasetId { get; set; }
    public Dataset? Dataset { get; set; }

    public RunStatus Status { get; set; } = RunStatus.Queued;
    public int TotalSamples { get; set; }
    public int CompletedSamples { get; set; }

    /// <summary>The execution provider that actually ran the model (e.g. "CPU", "CUDA").</summary>
    public string? Provider { get; set; }

    /// <summary>The inference workers that answered the run, each with its device ("worker ADDRESS (DEVICE)"; several after a
    /// worker was lost half-way); empty when the portal ran the model in its own process.</summary>
    public string? RanOn { get; set; }
    public string? Error { get; set; }

    /// <summary>Computed metrics, as JSON, once the run completes.</summary>
    public string? MetricsJson { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// The portal instance executing the run (PostgreSQL deployments, where several instances share the queue), and
    /// until when its claim holds unless its heartbeat renews it; both empty while queued, finished, or on SQLite.
    /// </summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
}

/// <summary>The life of an evaluation run.</summary>
public enum RunStatus
{
    Queued = 1,
    Running = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}
