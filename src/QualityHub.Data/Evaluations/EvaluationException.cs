namespace QualityHub.Data.Evaluations;

/// <summary>Why an evaluation cannot be started or found; <see cref="Status"/> is the HTTP status that says so.</summary>
public sealed class EvaluationException(string message, int status = 400, string? field = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>The request field at fault (modelVersionId, datasetId), when one is.</summary>
    public string? Field { get; } = field;
}
