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

    public List<ReleaseEntry> Entries { get; set; } = [];
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
