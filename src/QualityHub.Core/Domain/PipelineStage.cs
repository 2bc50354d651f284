namespace QualityHub.Core.Domain;

/// <summary>
/// One stage of a pipeline version. A pipeline is a module of task <see cref="TaskType.Pipeline"/>; each of its
/// versions is a <see cref="ModelVersion"/> whose stages say which module version runs where. Model stages pin a
/// version (<see cref="ModelVersionId"/>); the stages QualityHub runs itself (cutting out the lines, parsing the
/// fields) pin none.
/// </summary>
public sealed class PipelineStage
{
    public int Id { get; set; }

    /// <summary>The pipeline version this stage belongs to.</summary>
    public int PipelineVersionId { get; set; }

    /// <summary>The stage's place in the chain, from 1.</summary>
    public int Position { get; set; }

    public PipelineStageKind Kind { get; set; }

    /// <summary>The module version the stage runs; null for the stages QualityHub runs itself.</summary>
    public int? ModelVersionId { get; set; }
    public ModelVersion? ModelVersion { get; set; }
}

/// <summary>What a pipeline stage does; <see cref="Pipelines.PipelineShape"/> says what each takes and gives.</summary>
public enum PipelineStageKind
{
    /// <summary>A text detector's model: a photo in, text regions out.</summary>
    TextDetection = 1,

    /// <summary>Each region cut out of the photo and straightened (QualityHub's own).</summary>
    Rectify = 2,

    /// <summary>A text recogniser's model: each cut-out line in, its text out.</summary>
    TextRecognition = 3,

    /// <summary>The card-number (with its Luhn check) and expiry (MM/YY) parser (QualityHub's own).</summary>
    CardFields = 4,
}
