namespace QualityHub.Core.Labeling;

/// <summary>
/// Work ordered from a labeling vendor: a frozen list of samples of one dataset (<see cref="LabelingJobItem"/>), the
/// guide the vendor labels by, the money and the dates. Whatever the job was built from (flags, a gallery filter, a
/// ticket's regression set) is resolved to samples when it is created and named in <see cref="Source"/>.
/// </summary>
public sealed class LabelingJob
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int ModuleId { get; set; }

    /// <summary>The dataset every item comes from; merging makes a new version of it.</summary>
    public int DatasetId { get; set; }

    /// <summary>Why the labels are wanted, in the curator's words.</summary>
    public string Purpose { get; set; } = "";

    /// <summary>What the items were picked from, e.g. "ground-truth flags of dataset 1" or "gallery of run 4: scope=failures".</summary>
    public string Source { get; set; } = "";

    /// <summary>The labels the vendor may give, in order.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>Items ordered: the job's samples, gold included (the vendor is paid for every item).</summary>
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }
    public required string Currency { get; set; }
    public decimal Budget { get; set; }
    public DateTimeOffset? Deadline { get; set; }
    public string VendorName { get; set; } = "";
    public string VendorContact { get; set; } = "";
    public LabelingJobStatus Status { get; set; } = LabelingJobStatus.Draft;

    /// <summary>The account or API key that created the job.</summary>
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>The dataset version the job's reviewed labels were merged into; null until merged.</summary>
    public int? MergedDatasetId { get; set; }

    public List<LabelingJobItem> Items { get; set; } = [];
}

/// <summary>One sample of a job. A gold item carries the answer the curator trusts; the export never tells it from the rest.</summary>
public sealed class LabelingJobItem
{
    public long Id { get; set; }
    public int JobId { get; set; }
    public long SampleId { get; set; }
    public bool IsGold { get; set; }

    /// <summary>The trusted answer of a gold item (the sample's label when the job was made); null for the rest.</summary>
    public string? GoldLabel { get; set; }
}

/// <summary>One version of a job's guide: Markdown, the samples it shows as examples, and the answered questions it folded in.</summary>
public sealed class LabelingGuideVersion
{
    public int Id { get; set; }
    public int JobId { get; set; }
    public int Version { get; set; }
    public required string Markdown { get; set; }
    public List<long> ExampleSampleIds { get; set; } = [];
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A vendor's question about a job (or one of its samples) and the curator's answer.</summary>
public sealed class LabelingQuestion
{
    public int Id { get; set; }
    public int JobId { get; set; }
    public long? SampleId { get; set; }
    public required string Text { get; set; }

    /// <summary>Who asked: the vendor's person as entered or imported.</summary>
    public string AskedBy { get; set; } = "";
    public DateTimeOffset AskedAt { get; set; }
    public string? Answer { get; set; }
    public string? AnsweredBy { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>Whether the answer goes into the guide's next version as a clarification.</summary>
    public bool AddToGuide { get; set; }

    /// <summary>The guide version that took the answer in; null while it waits for the next version.</summary>
    public int? FoldedIntoGuideVersion { get; set; }
}

/// <summary>A file of labels the vendor sent back: refused with its per-row report, or accepted with its rows.</summary>
public sealed class LabelingDelivery
{
    public int Id { get; set; }
    public int JobId { get; set; }
    public string FileName { get; set; } = "";
    public string ReceivedBy { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public bool Accepted { get; set; }

    /// <summary>The rows found wrong, as JSON (<see cref="DeliveryProblem"/> list); "[]" for an accepted delivery.</summary>
    public string ReportJson { get; set; } = "[]";
    public int RowCount { get; set; }
    public double? GoldAccuracy { get; set; }
    public int GoldItems { get; set; }
    public double? Kappa { get; set; }
    public int CompareItems { get; set; }

    /// <summary>The dataset version this delivery was merged into; unique, so a delivery merges once.</summary>
    public int? MergedDatasetId { get; set; }
    public List<LabelingDeliveryRow> Rows { get; set; } = [];
}

/// <summary>One item's label in an accepted delivery, with the curator's review where it disagrees with ours.</summary>
public sealed class LabelingDeliveryRow
{
    public long Id { get; set; }
    public int DeliveryId { get; set; }
    public long ItemId { get; set; }
    public long SampleId { get; set; }
    public required string Label { get; set; }

    /// <summary>The dataset's label of the sample when the delivery arrived.</summary>
    public required string CurrentLabel { get; set; }
    public ReviewDecision? Decision { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}

/// <summary>The curator's call on a vendor label that differs from ours.</summary>
public enum ReviewDecision
{
    AcceptVendor = 1,
    KeepOurs = 2,
    Ambiguous = 3,
}

/// <summary>A row of a delivery that cannot be taken, and why.</summary>
public sealed record DeliveryProblem(int Row, string? ItemId, string Field, string Message);

/// <summary>The limits of a job's texts.</summary>
public static class LabelingRules
{
    public const int MaxGuideLength = 100_000;
    public const int MaxQuestionLength = 4000;
    public const int MaxItems = 100_000;
}
