using QualityHub.Core.Domain;

namespace QualityHub.Web.Features.Tickets;

/// <summary>What a new ticket says, as the form or POST /api/tickets gives it; the service checks every field.</summary>
public sealed record TicketDraft
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Channel { get; init; }
    public string? CustomerSegment { get; init; }

    /// <summary>low, medium, high or blocker; medium when absent.</summary>
    public string? Severity { get; init; }
    public int? ModuleId { get; init; }
    public int? ReleaseId { get; init; }
    public int? ModelVersionId { get; init; }

    /// <summary>An image already in the content store.</summary>
    public string? InputImageSha256 { get; init; }

    /// <summary>A new image: JPEG, PNG, WebP, BMP or GIF bytes, base64 (a data: URL is accepted too); stored as PNG whatever the name says.</summary>
    public string? InputImagePngBase64 { get; init; }
    public string? ExpectedOutput { get; init; }
    public string? ActualOutput { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public string? Assignee { get; init; }

    /// <summary>The sample the complaint was seen on (a gallery item, a dataset's sample).</summary>
    public long? SampleId { get; init; }

    /// <summary>The evaluation run whose answer on the sample is complained about; it must have run on the sample's dataset.</summary>
    public int? RunId { get; init; }

    /// <summary>The customer's own reference when a support system files for them (its case number, a customer id); who files is the caller's sign-in.</summary>
    public string? CustomerReference { get; init; }
}

/// <summary>Changes to a ticket's fields; null leaves a field as it is, "" clears an optional one.</summary>
public sealed record TicketPatch
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Severity { get; init; }
    public string? Assignee { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
}

/// <summary>The body of POST /api/tickets/{id}/status.</summary>
public sealed record TicketMove(string? Status, int? FixedInReleaseId = null, string? Note = null);

/// <summary>The body of POST /api/tickets/{id}/comments.</summary>
public sealed record TicketCommentRequest(string? Text);

/// <summary>Filters of the ticket list, every one optional, and its order (newest first unless asked otherwise).</summary>
public sealed record TicketQuery(
    TicketStatus? Status = null, TicketSeverity? Severity = null, int? ModuleId = null, string? Tag = null, string? Text = null, int Skip = 0, int Take = 50,
    TicketSort Sort = TicketSort.Id, bool Descending = true);

/// <summary>What the ticket list can be ordered by; ties fall back to the ticket number, newest first.</summary>
public enum TicketSort
{
    Id,
    Title,
    Status,
    Severity,
    Module,
    Assignee,
    Updated,
}

public sealed record TicketListItem(
    int Id, string Title, TicketStatus Status, TicketSeverity Severity, int? ModuleId, string? Module, string Channel, string? Assignee,
    IReadOnlyList<string> Tags, bool HasImage, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record TicketPage(IReadOnlyList<TicketListItem> Items, int Total, int Skip, int Take);

public sealed record TicketCommentView(long Id, string Author, string Text, DateTimeOffset CreatedAt);

public sealed record TicketEventView(long Id, string Author, string Action, string? From, string? To, DateTimeOffset At);

/// <summary>Another ticket that is likely the same complaint, and why it looks so.</summary>
public sealed record TicketDuplicate(int Id, string Title, TicketStatus Status, string Reason);

/// <summary>A ticket with everything known about it.</summary>
public sealed record TicketDetail(
    int Id, string Title, string Description, string Channel, string CustomerSegment, TicketSeverity Severity, TicketStatus Status,
    int? ModuleId, string? Module, TaskType? TaskType, int? ReleaseId, string? Release, int? ModelVersionId, string? ModelVersion,
    string? InputImageSha256, string? InputImageUrl, string? ExpectedOutput, string? ActualOutput, IReadOnlyList<string> Tags, string? Assignee,
    string ReportedBy, string? CustomerReference, long? SampleId, int? SampleDatasetId, int? RunId,
    int? FixedInReleaseId, string? FixedInRelease, long? RegressionSampleId, int? RegressionDatasetId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TicketStatus> AllowedNext,
    IReadOnlyList<TicketCommentView> Comments, IReadOnlyList<TicketEventView> History, IReadOnlyList<TicketDuplicate> Duplicates);

/// <summary>A count of tickets under one key (a release, a tag, a severity): open ones and all.</summary>
public sealed record TicketCount(string Key, int Open, int Total);

/// <summary>Ticket counts for the Overview.</summary>
public sealed record TicketCounts(IReadOnlyList<TicketCount> BySeverity, IReadOnlyList<TicketCount> ByRelease, IReadOnlyList<TicketCount> ByTag)
{
    public int Total => BySeverity.Sum(c => c.Total);
}

/// <summary>What a ticket page can be prefilled from: a gallery item or a comparison's answer.</summary>
public sealed record TicketPrefill(
    int? ModuleId, int? ModelVersionId, string? InputImageSha256, string? ExpectedOutput, string? ActualOutput, string? Title, string? Channel,
    long? SampleId = null, int? RunId = null);

/// <summary>A request the ticket service refuses: the HTTP status, the offending field and what to change.</summary>
public sealed class TicketException(string message, string? field = null, int statusCode = StatusCodes.Status400BadRequest) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The request field at fault, as named in JSON (camelCase), when one is.</summary>
    public string? Field { get; } = field;
}

/// <summary>How long each text of a ticket may be; longer is refused, never cut.</summary>
public static class TicketLimits
{
    public const int Title = 300;
    public const int Description = 10_000;
    public const int Channel = 100;
    public const int CustomerSegment = 100;
    public const int Output = 2_000;
    public const int Tag = 40;
    public const int Tags = 20;
    public const int Person = 200;
    public const int CustomerReference = 200;
    public const int Comment = 4_000;
    public const int MaxPageSize = 500;
}

/// <summary>What the ticket form offers to choose from.</summary>
public sealed record TicketChoices(IReadOnlyList<TicketChoice> Modules, IReadOnlyList<TicketChoice> Releases, IReadOnlyList<TicketVersionChoice> Versions, int? CurrentReleaseId = null);

public sealed record TicketChoice(int Id, string Name);

public sealed record TicketVersionChoice(int Id, int ModuleId, string Name, ModelStatus Status);
