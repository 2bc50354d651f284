using QualityHub.Core.Domain;

namespace QualityHub.Data.Evaluations;

/// <summary>Where a run stands: samples done of total, the rate of this stretch of work and the time left at that rate.</summary>
public sealed record EvaluationProgress(int RunId, RunStatus Status, int Done, int Total, double ItemsPerSecond, string? Error = null)
{
    public double Fraction => Total == 0 ? 0 : (double)Done / Total;

    /// <summary>Seconds left at the current rate; null while the rate is unknown.</summary>
    public double? EtaSeconds => ItemsPerSecond > 0 && Status == RunStatus.Running ? (Total - Done) / ItemsPerSecond : null;
}
