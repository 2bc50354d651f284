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

    /// <summary>The account or API key that filed the ticket, from its sign-in (never typed).</summary>
    public string ReportedBy { get; set; } = "";

    /// <summary>The customer's own reference (a support system's case number, a customer id), when a system files for them.</summary>
    public string? CustomerReference { get; set; }

    /// <summary>The test sample the complaint was seen on (filed from a gallery or a dataset), when it was.</summary>
    public long? SampleId { get; set; }

    /// <summary>The evaluation run whose answer on <see cref="SampleId"/> is complained about, when filed from its gallery.</summary>
    public int? EvaluationRunId { get; set; }

    /// <summary>The release that ships the fix; set when the ticket moves to <see cref="TicketStatus.Fixed"/>.</summary>
    public int? FixedInReleaseId { get; set; }

    /// <summary>The sample this ticket's input became in its module's regression set, once added.</summary>
    public long? RegressionSampleId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A remark on a ticket; comments are never edited or removed.</summary>
public sealed class TicketComment
{
    public long Id { get; set; }
    public int TicketId { get; set; }
    public required string Author { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One change to a ticket in its append-only history: who did what, when, from which value to which.</summary>
public sealed class TicketEvent
{
    public long Id { get; set; }
    public int TicketId { get; set; }
    public required string Author { get; set; }

    /// <summary>What changed: created, status, assignee, severity, title, tags, comment, reproduced, regression, ….</summary>
    public required string Action { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public DateTimeOffset At { get; set; }
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
