namespace QualityHub.Core.Domain;

/// <summary>
/// The reference profile of a completed evaluation run for one drift descriptor: the distribution of its test set's
/// inputs and its outputs (counts per bin, with the wrong predictions as the bin's "corrections"), computed once and
/// compared with production's windows.
/// </summary>
public sealed class RunProfile
{
    public int EvaluationRunId { get; set; }
    public required string Descriptor { get; set; }
    public long Events { get; set; }

    /// <summary>The bins as <see cref="Drift.DriftHistogram.ToJson"/> writes them.</summary>
    public required string Bins { get; set; }
    public DateTimeOffset ComputedAt { get; set; }
}
