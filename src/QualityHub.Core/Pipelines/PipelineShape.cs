using QualityHub.Core.Domain;

namespace QualityHub.Core.Pipelines;

/// <summary>What passes between pipeline stages.</summary>
public enum PipelineData
{
    Photo,
    TextRegions,
    LineImages,
    TextLines,
    CardFields,
}

/// <summary>What a kind of stage takes and gives, and the task of the module whose version it runs (null: QualityHub's own stage).</summary>
public sealed record StageContract(PipelineStageKind Kind, string Title, TaskType? ModuleTask, PipelineData Takes, PipelineData Gives);

/// <summary>A stage as proposed for a new pipeline version: its kind and, for a model stage, the pinned version's name and module task.</summary>
public sealed record ProposedStage(PipelineStageKind Kind, string? Version = null, TaskType? VersionTask = null);

/// <summary>
/// Whether stages fit together: each stage takes what the one before gives (the first takes the photo), model stages
/// pin a version of a module of their task and QualityHub's own stages pin none, and the last gives the card's fields.
/// The one chain that fits today is the card reader's: text detection → rectify → text recognition → card fields.
/// </summary>
public static class PipelineShape
{
    /// <summary>The most stages a pipeline version may have.</summary>
    public const int MaxStages = 16;

    public static StageContract Of(PipelineStageKind kind) => kind switch
    {
        PipelineStageKind.TextDetection => new(kind, "text detection", TaskType.TextDetection, PipelineData.Photo, PipelineData.TextRegions),
        PipelineStageKind.Rectify => new(kind, "rectify", null, PipelineData.TextRegions, PipelineData.LineImages),
        PipelineStageKind.TextRecognition => new(kind, "text recognition", TaskType.TextRecognition, PipelineData.LineImages, PipelineData.TextLines),
        PipelineStageKind.CardFields => new(kind, "card fields", null, PipelineData.TextLines, PipelineData.CardFields),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pipeline stage kind."),
    };

    /// <summary>Why the stages do not make a pipeline, or null when they do.</summary>
    public static string? Problem(IReadOnlyList<ProposedStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            return "A pipeline version needs its stages, in order.";
        }

        if (stages.Count > MaxStages)
        {
            return $"A pipeline version has at most {MaxStages} stages; this one has {stages.Count}.";
        }

        var gives = PipelineData.Photo;
        string before = "the pipeline's input";
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            if (!Enum.IsDefined(stage.Kind))
            {
                return $"Stage {i + 1} is of no known kind; the kinds are {string.Join(", ", Enum.GetValues<PipelineStageKind>().Select(k => Of(k).Title))}.";
            }

            var contract = Of(stage.Kind);
            var name = $"Stage {i + 1} ({contract.Title})";
            if (contract.ModuleTask is { } task && stage.Version is null)
            {
                return $"{name} runs a model: pin a version of {Describe(task)} module.";
            }

            if (contract.ModuleTask is null && stage.Version is not null)
            {
                return $"{name} is QualityHub's own and pins no model version, but was given {stage.Version}.";
            }

            if (contract.ModuleTask is { } wanted && stage.VersionTask != wanted)
            {
                return $"{name} pins {stage.Version}, a version of {Describe(stage.VersionTask)} module; it runs {Describe(wanted)} module's version.";
            }

            if (contract.Takes != gives)
            {
                return $"{name} takes {Describe(contract.Takes)}, but {before} gives {Describe(gives)}.";
            }

            gives = contract.Gives;
            before = $"stage {i + 1} ({contract.Title})";
        }

        return gives == PipelineData.CardFields ? null
            : $"The pipeline ends with {Describe(gives)}; a pipeline ends with the card's fields (a card-fields stage after text recognition).";
    }

    private static string Describe(PipelineData data) => data switch
    {
        PipelineData.Photo => "a photo",
        PipelineData.TextRegions => "text regions",
        PipelineData.LineImages => "cut-out text lines",
        PipelineData.TextLines => "the lines' texts",
        _ => "the card's fields",
    };

    // With its article: "a text-detection", "an image-classification".
    private static string Describe(TaskType? task) => task switch
    {
        TaskType.TextDetection => "a text-detection",
        TaskType.TextRecognition => "a text-recognition",
        TaskType.ImageClassification => "an image-classification",
        TaskType.Pipeline => "a pipeline",
        _ => "an unknown",
    };
}
