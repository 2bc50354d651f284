namespace QualityHub.Core.Domain;

/// <summary>A customer's complaint about model output (voice of the customer).</summary>
public sealed class VocTicket
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public string Channel { get; set; } = "";
    public string CustomerSegment { get; set; } = "";
    public TicketSeverity Severity { get; set; } = TicketSeverity.Medium;
    public TicketStatus Status { get; set; } = TicketStatus.New;

    public int? ModuleId { get; set; }
    public Module? Module { get; set; }
    public int? ReleaseId { get; set; }
    public int? ModelVersionId { get; set; }

    /// <summary>SHA-256 of the attached input image, if any.</summary>
    public string? InputImageSha256 { get; set; }
    public string? ExpectedOutput { get; set; }
    public string? ActualOutput { get; set; }
    public List<string> Tags { get; set; } = [];
    public string? Assignee { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>How badly a ticket hurts customers.</summary>
public enum TicketSeverity
{
    Low = 1,
    Medium = 2,
    High = 3,
    Blocker = 4,
}

/// <summary>Ticket workflow: new → triaged → reproduced → fixed → closed (or won't fix).</summary>
public enum TicketStatus
{
    New = 1,
    Triaged = 2,
    Reproduced = 3,
    Fixed = 4,
    Closed = 5,
    WontFix = 6,
}
