using QualityHub.Core.Domain;

namespace QualityHub.Data.Registry;

/// <summary>What a person says about a dataset being imported: name, task, split, provenance and licence.</summary>
public sealed record DatasetImportRequest
{
    public required string Name { get; init; }

    public string? ModuleName { get; init; }

    public TaskType TaskType { get; init; } = TaskType.ImageClassification;

    public DatasetSplit Split { get; init; } = DatasetSplit.Test;

    public string Source { get; init; } = "";

    /// <summary>SPDX or Creative Commons identifier (e.g. "MIT", "CC-BY-4.0", "CC0-1.0"), or "contract".</summary>
    public required string LicenceId { get; init; }

    public bool CommercialUseAllowed { get; init; }

    public string Attribution { get; init; } = "";

    /// <summary>The label set, in class order. Required for labels CSVs (unknown labels are errors) and IDX files (index → name).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Tags every sample gets (e.g. "printed").</summary>
    public IReadOnlyList<string> CommonTags { get; init; } = [];
}

/// <summary>One problem with one item of an import: which item, and what is wrong with it.</summary>
public sealed record ImportIssue(string Item, string Problem)
{
    public override string ToString() => $"{Item}: {Problem}";
}

/// <summary>Progress of an import: items checked so far out of all.</summary>
public sealed record ImportProgress(int Done, int Total, string Phase);

/// <summary>
/// The outcome: the dataset when everything was valid, else the problems found (the first
/// <see cref="DatasetImporter.MaxIssuesReported"/> listed, <paramref name="IssueCount"/> counting all) and nothing registered.
/// </summary>
public sealed record DatasetImportResult(Dataset? Dataset, IReadOnlyList<ImportIssue> Issues, int Items, int IssueCount)
{
    public bool Succeeded => Dataset is not null && Issues.Count == 0;

    /// <summary>The new dataset checked against its module's data rules; null when the module has none (or there is no dataset).</summary>
    public Core.Drift.DatasetValidation? Validation { get; init; }
}

/// <summary>One item to import: where it came from (for messages), how to get its image bytes, its truth and tags.</summary>
internal sealed record ImportItem(string Reference, Func<byte[]> ReadImage, string? GroundTruth, IReadOnlyList<string> Tags, string? Problem = null);
