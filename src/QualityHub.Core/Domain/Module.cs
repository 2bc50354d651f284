namespace QualityHub.Core.Domain;

/// <summary>A technical module: maps input A to output B (e.g. text-line image → string); has model versions.</summary>
public sealed class Module
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public TaskType TaskType { get; set; }
    public required string InputDescription { get; set; }
    public required string OutputDescription { get; set; }
    public string Description { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>How a text module's outputs are compared with the truth, besides exactly (set by its planner).</summary>
    public Metrics.TextComparison TextComparison { get; set; }

    /// <summary>The module's drift thresholds and minimum samples as JSON (<see cref="Drift.DriftSettings"/>); null for the defaults.</summary>
    public string? DriftSettingsJson { get; set; }

    /// <summary>The module's data validation rules as JSON (<see cref="Drift.DataRules"/>); null for none.</summary>
    public string? DataRulesJson { get; set; }

    public List<ModelVersion> Versions { get; set; } = [];

    /// <summary>The module's error taxonomy: the failure kinds its samples can be tagged with.</summary>
    public List<ErrorTag> ErrorTags { get; set; } = [];
}

/// <summary>What a module's models do, which decides pre/post-processing and metrics.</summary>
public enum TaskType
{
    ImageClassification = 1,
    TextRecognition = 2,
    TextDetection = 3,

    /// <summary>A chain of modules (a card photo in, the card's fields out); its versions pin one module version per stage (<see cref="PipelineStage"/>).</summary>
    Pipeline = 4,
}

/// <summary>What a task's runs are headlined by.</summary>
public static class TaskTypes
{
    /// <summary>The name of a run's headline figure (<see cref="Metrics.RunMetrics.Headline"/>) for a module of <paramref name="task"/>.</summary>
    public static string HeadlineName(TaskType task) => task switch
    {
        TaskType.TextRecognition => "exact match",
        TaskType.Pipeline => "cards read right",
        _ => "accuracy",
    };

    /// <summary>
    /// The output a sample expects, as a run's output is written: its ground truth, except a card photo's, whose stored
    /// truth is its fields and lines and whose expected output is its number's digits and expiry
    /// (<see cref="Pipelines.CardPhotoJson.Describe"/>). A prediction is right when its output equals this.
    /// </summary>
    public static string ExpectedOutput(TaskType task, string groundTruth) =>
        task == TaskType.Pipeline ? Pipelines.CardPhotoJson.Describe(Pipelines.CardPhotoJson.Parse(groundTruth)) : groundTruth;
}
