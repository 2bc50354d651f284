using QualityHub.Core.Labeling;

namespace QualityHub.Web.Features.Labeling;

/// <summary>What a job's items are picked from: kind flags (a dataset's ground-truth flags, its relabel list), gallery (a run's gallery filter), ticket (the regression set a ticket added to), samples (ids), or drift (refused: online events name no samples).</summary>
public sealed record LabelingSourceInput(string? Kind, int? DatasetId = null, int? RunId = null, string? Filter = null, int? TicketId = null, List<long>? SampleIds = null);

/// <summary>A new job. Quantity caps the items taken from the source (all when left out); gold items come on top, picked from trusted samples of the same dataset.</summary>
public sealed record LabelingJobInput(
    string? Name,
    LabelingSourceInput? From,
    string? Purpose = null,
    List<string>? Labels = null,
    int? Quantity = null,
    decimal? UnitPrice = null,
    string? Currency = null,
    decimal? Budget = null,
    DateTimeOffset? Deadline = null,
    string? VendorName = null,
    string? VendorContact = null,
    int? GoldCount = null,
    List<long>? GoldSampleIds = null,
    string? Guide = null,
    List<long>? GuideExampleSampleIds = null);

/// <summary>Changes to a job; what is left out stays. A guide or its examples make a new guide version.</summary>
public sealed record LabelingJobPatch(
    string? Name = null,
    string? Purpose = null,
    string? Status = null,
    decimal? UnitPrice = null,
    string? Currency = null,
    decimal? Budget = null,
    DateTimeOffset? Deadline = null,
    string? VendorName = null,
    string? VendorContact = null,
    string? Guide = null,
    List<long>? GuideExampleSampleIds = null);

/// <summary>A job as the API and pages show it. Gold answers are never in it: only how many items are gold.</summary>
public sealed record LabelingJobView(
    int Id, string Name, int ModuleId, string Module, int DatasetId, string Dataset, string Purpose, string Source, IReadOnlyList<string> Labels,
    int Quantity, int Items, int GoldItems, decimal UnitPrice, string Currency, decimal Cost, decimal Budget, DateTimeOffset? Deadline,
    string VendorName, string VendorContact, string Status, IReadOnlyList<string> NextStatuses, IReadOnlyList<string> Flags,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? DeliveredAt, double? DaysToDeliver,
    int? MergedDatasetId, int GuideVersion, int OpenQuestions, LabelingDeliveryView? LatestDelivery);

/// <summary>One version of a job's guide.</summary>
public sealed record LabelingGuideView(int Version, string Markdown, IReadOnlyList<long> ExampleSampleIds, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A job with its guide versions and questions.</summary>
public sealed record LabelingJobDetail(LabelingJobView Job, IReadOnlyList<LabelingGuideView> Guides, IReadOnlyList<LabelingQuestionView> Questions, IReadOnlyList<LabelingDeliveryView> Deliveries);

/// <summary>A question (or several, to import a vendor's list) about a job or one of its samples.</summary>
public sealed record LabelingQuestionInput(string? Text, long? SampleId = null, string? AskedBy = null, List<LabelingQuestionInput>? Questions = null);

/// <summary>The curator's answer; with addToGuide the answer appears in the guide's next version under Clarifications.</summary>
public sealed record LabelingAnswerInput(string? Answer, bool AddToGuide = false);

public sealed record LabelingQuestionView(int Id, long? SampleId, string Text, string AskedBy, DateTimeOffset AskedAt, string? Answer, string? AnsweredBy, DateTimeOffset? AnsweredAt, bool AddToGuide, int? FoldedIntoGuideVersion);

/// <summary>A delivery as checked: refused with its problems, or accepted with its agreement figures.</summary>
public sealed record LabelingDeliveryView(
    int Id, string FileName, DateTimeOffset ReceivedAt, bool Accepted, int Rows, IReadOnlyList<DeliveryProblem> Problems,
    double? GoldAccuracy, int GoldItems, double? Kappa, int CompareItems, int Disagreements, int Undecided, int? MergedDatasetId);

/// <summary>A vendor label that differs from ours, with the curator's decision if made.</summary>
public sealed record DisagreementView(long RowId, long SampleId, int Ordinal, bool IsGold, string Ours, string Vendor, string? Decision, string? DecidedBy, string ImageUrl);

/// <summary>Decisions on a delivery's disagreements: each by row id or sample id, decision acceptVendor | keepOurs | ambiguous.</summary>
public sealed record ReviewInput(List<ReviewDecisionInput>? Decisions);

public sealed record ReviewDecisionInput(long? RowId, long? SampleId, string? Decision);

/// <summary>Which delivery to merge; the job's latest accepted one when left out.</summary>
public sealed record MergeInput(int? DeliveryId = null);

/// <summary>What a merge made.</summary>
public sealed record MergeResult(int JobId, int DeliveryId, int DatasetId, string Dataset, int Version, int PreviousDatasetId, int Samples, int LabelsChanged, int FlagsClosed);

/// <summary>Money and speed per vendor over their jobs.</summary>
public sealed record VendorFigures(string Vendor, int Jobs, int Items, decimal Spend, string Currency, double? MeanDaysToDeliver, int LateJobs, double? GoldAccuracy, double? Kappa);

/// <summary>A dataset with samples flagged for relabelling.</summary>
public sealed record FlaggedDataset(int Id, string Name, string? Module, int Flags);

/// <summary>Every job and every vendor's figures.</summary>
public sealed record LabelingOverview(IReadOnlyList<LabelingJobView> Jobs, IReadOnlyList<VendorFigures> Vendors);

/// <summary>A labeling request that cannot be done: the field at fault, and 400/404/409/422.</summary>
public sealed class LabelingException(string field, string message, int status = 422, IReadOnlyList<DeliveryProblem>? problems = null) : Exception(message)
{
    public string Field { get; } = field;
    public int Status { get; } = status;
    public IReadOnlyList<DeliveryProblem>? Problems { get; } = problems;

    public IResult ToProblem()
    {
        var extensions = new Dictionary<string, object?> { ["field"] = Field };
        if (Problems is not null)
        {
            extensions["problems"] = Problems;
        }

        var title = Status switch { 404 => "Not found", 409 => "Conflict", 400 => "Bad request", _ => "Cannot be done" };
        return Results.Problem(statusCode: Status, title: title, detail: Message, extensions: extensions);
    }
}
