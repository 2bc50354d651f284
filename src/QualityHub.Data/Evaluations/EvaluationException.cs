namespace QualityHub.Data.Evaluations;

/// <summary>Why an evaluation cannot be started or found; <see cref="Status"/> is the HTTP status that says so.</summary>
public sealed class EvaluationException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
