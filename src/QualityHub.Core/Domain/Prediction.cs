namespace QualityHub.Core.Domain;

/// <summary>A model's output on one sample within one evaluation run.</summary>
public sealed class Prediction
{
    public long Id { get; set; }
    public int EvaluationRunId { get; set; }
    public long SampleId { get; set; }

    /// <summary>Predicted class label or decoded text; null when the model failed on this sample.</summary>
    public string? Output { get; set; }
    public double? Confidence { get; set; }

    /// <summary>Top-k labels and probabilities, as JSON, for classifiers.</summary>
    public string? TopKJson { get; set; }

    /// <summary>A pipeline's whole answer for the sample (<see cref="Pipelines.CardReadOutput"/> as JSON: regions, texts, stage times); null for a single model.</summary>
    public string? DetailJson { get; set; }

    public double QueueMs { get; set; }
    public double PreprocessMs { get; set; }
    public double ComputeMs { get; set; }
    public double PostprocessMs { get; set; }

    /// <summary>How many items the engine ran together with this one.</summary>
    public int BatchSize { get; set; }

    public string? Error { get; set; }

    /// <summary>Cross-entropy of the true class, −ln p(true), for classifiers whose labels include the ground truth.</summary>
    public double? Loss { get; set; }

    /// <summary>Levenshtein distance between the decoded text and the ground truth, for recognisers.</summary>
    public int? EditDistance { get; set; }
}
