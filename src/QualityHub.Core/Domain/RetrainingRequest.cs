namespace QualityHub.Core.Domain;

/// <summary>
/// A request to retrain a module's model, made from the evidence that asks for it: drift in a window of production
/// events, a metric that fell, a schedule, or someone's judgement. Modelers see it with the module and export its data
/// slice (the window's events) to train and test on.
/// </summary>
public sealed class RetrainingRequest
{
    public const int MaxReasonLength = 2000;

    public int Id { get; set; }
    public int ModuleId { get; set; }

    /// <summary>The release whose events are the evidence; null for a request not about production (a schedule, a judgement).</summary>
    public int? ReleaseId { get; set; }
    public RetrainingTrigger Trigger { get; set; }
    public required string Reason { get; set; }

    /// <summary>The window of production events the request is about (its data slice); both or neither.</summary>
    public DateTimeOffset? WindowFrom { get; set; }
    public DateTimeOffset? WindowTo { get; set; }

    /// <summary>Events of the module and release in the window when the request was made.</summary>
    public long WindowEvents { get; set; }

    /// <summary>What the drift report said about the window when the request was made, and example events from it, as JSON.</summary>
    public required string EvidenceJson { get; set; }
    public RetrainingStatus Status { get; set; } = RetrainingStatus.Open;
    public required string RequestedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
}

/// <summary>What asked for retraining (the course's retraining triggers).</summary>
public enum RetrainingTrigger
{
    /// <summary>Inputs or outputs drifted from the reference.</summary>
    Drift = 1,

    /// <summary>A metric fell: the correction rate rose, a requirement is missed.</summary>
    Metric = 2,

    /// <summary>It is time: the team retrains on a schedule.</summary>
    Schedule = 3,

    /// <summary>Someone decided, e.g. from tickets.</summary>
    Manual = 4,
}

public enum RetrainingStatus
{
    Open = 1,
    InProgress = 2,
    Done = 3,
    Declined = 4,
}
