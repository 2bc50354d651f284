namespace QualityHub.Core.Domain;

/// <summary>A release fixes one model version per module.</summary>
public sealed class Release
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public ReleaseStatus Status { get; set; } = ReleaseStatus.Draft;
    public string Rationale { get; set; } = "";
    public string? ApprovedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>Notes generated when the release was approved (metric deltas, waivers, fixed tickets); kept as written then.</summary>
    public string? ReleaseNotes { get; set; }

    public List<ReleaseEntry> Entries { get; set; } = [];
}

/// <summary>A requirement a release ships without meeting, and why the quality manager accepted that.</summary>
public sealed class ReleaseWaiver
{
    public int Id { get; set; }
    public int ReleaseId { get; set; }
    public int ModuleId { get; set; }

    /// <summary>The scorecard row waived, e.g. "Accuracy" or "Processing time p95".</summary>
    public required string Requirement { get; set; }
    public required string Reason { get; set; }
    public required string WaivedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// From <see cref="From"/> on, <see cref="ModelVersionId"/> served <see cref="ModuleId"/> in production, by release
/// <see cref="ReleaseId"/>; until the module's next row. Rows are only ever added, so the history is never rewritten.
/// </summary>
public sealed class ProductionPeriod
{
    public long Id { get; set; }
    public int ModuleId { get; set; }
    public int ModelVersionId { get; set; }
    public int ReleaseId { get; set; }
    public DateTimeOffset From { get; set; }
}

/// <summary>The model version a release ships for one module.</summary>
public sealed class ReleaseEntry
{
    public int Id { get; set; }
    public int ReleaseId { get; set; }
    public int ModuleId { get; set; }
    public Module? Module { get; set; }
    public int ModelVersionId { get; set; }
    public ModelVersion? ModelVersion { get; set; }
}

/// <summary>The life of a release.</summary>
public enum ReleaseStatus
{
    Draft = 1,
    Approved = 2,
    Current = 3,
    Superseded = 4,
}
