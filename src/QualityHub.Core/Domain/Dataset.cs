namespace QualityHub.Core.Domain;

/// <summary>A registered set of samples with its provenance and licence.</summary>
public sealed class Dataset
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int? ModuleId { get; set; }
    public Module? Module { get; set; }
    public TaskType TaskType { get; set; }
    public DatasetSplit Split { get; set; }

    /// <summary>Where the data came from (a URL, a package name, a contract reference).</summary>
    public string Source { get; set; } = "";

    /// <summary>SPDX or Creative Commons identifier (e.g. "MIT", "CC-BY-4.0"), or "contract".</summary>
    public required string LicenceId { get; set; }
    public bool CommercialUseAllowed { get; set; }
    public string Attribution { get; set; } = "";

    /// <summary>The label set of a classification dataset, in class-index order.</summary>
    public List<string> Labels { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last check of the samples against the module's data rules as JSON (<see cref="Drift.DatasetValidation"/>); null when never checked.</summary>
    public string? ValidationJson { get; set; }

    /// <summary>1 for a dataset as imported; each merge of reviewed labels makes the next version, the old one kept.</summary>
    public int Version { get; set; } = 1;

    /// <summary>The version this one was made from; null for a first version.</summary>
    public int? PreviousVersionId { get; set; }

    public List<Sample> Samples { get; set; } = [];
}

/// <summary>What a dataset is used for.</summary>
public enum DatasetSplit
{
    Train = 1,
    Test = 2,
    OnlineSample = 3,

    /// <summary>A named set of samples people picked (e.g. from the Compare page), usable like any other dataset.</summary>
    Collection = 4,

    /// <summary>Inputs from customers' tickets with the output they expected: what a new version must not get wrong again.</summary>
    Regression = 5,
}
