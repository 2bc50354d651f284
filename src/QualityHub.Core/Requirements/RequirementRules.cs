using QualityHub.Core.Domain;

namespace QualityHub.Core.Requirements;

/// <summary>An accuracy metric a requirement can target, and which way is better.</summary>
public sealed record TargetMetric(string Name, string Title, TaskType Task, bool HigherIsBetter);

/// <summary>One problem with a requirement, named by the field it concerns.</summary>
public sealed record RequirementProblem(string Field, string Message);

/// <summary>What makes a requirement possible to meet and to check: targets that are positive and finite, a known metric on a dataset, a reason.</summary>
public static class RequirementRules
{
    /// <summary>Longer than any real latency target (one hour), so larger values are typing errors.</summary>
    public const double MaxLatencyMs = 3_600_000;

    public const int MaxRationaleLength = 4000;

    /// <summary>The metrics evaluation runs measure, as the metrics JSON names them.</summary>
    public static IReadOnlyList<TargetMetric> Metrics { get; } =
    [
        new("accuracy", "Accuracy", TaskType.ImageClassification, true),
        new("macroF1", "Macro F1", TaskType.ImageClassification, true),
        new("exactMatch", "Exact match", TaskType.TextRecognition, true),
        new("characterErrorRate", "Character error rate", TaskType.TextRecognition, false),
        new("normalizedEditDistance", "Normalised edit distance", TaskType.TextRecognition, false),
        // The same three with outputs and truth compared as the module's rule says (case, spaces, separators).
        new("exactMatchUnderRule", "Exact match (module's comparison rule)", TaskType.TextRecognition, true),
        new("characterErrorRateUnderRule", "Character error rate (module's comparison rule)", TaskType.TextRecognition, false),
        new("normalizedEditDistanceUnderRule", "Normalised edit distance (module's comparison rule)", TaskType.TextRecognition, false),
        // A pipeline end to end: the share of photos with every field right, each field alone, and its detector.
        new("cardsReadRight", "Cards read right", TaskType.Pipeline, true),
        new("numberExactMatch", "Card number exact match", TaskType.Pipeline, true),
        new("expiryExactMatch", "Expiry exact match", TaskType.Pipeline, true),
        new("detectionHMean", "Text detection H-mean", TaskType.Pipeline, true),
    ];

    public static TargetMetric? Metric(string? name) => Metrics.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>Every problem with <paramref name="requirement"/> for a module of <paramref name="task"/>; empty when it can be stored.</summary>
    public static IReadOnlyList<RequirementProblem> Problems(Requirement requirement, TaskType task)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        var problems = new List<RequirementProblem>();
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                problems.Add(new RequirementProblem(field, message));
            }
        }

        foreach (var (field, value) in new[] { ("offlineP95Ms", requirement.OfflineP95Ms), ("onlineP95Ms", requirement.OnlineP95Ms) })
        {
            Check(value is null || (double.IsFinite(value.Value) && value > 0 && value <= MaxLatencyMs), field,
                $"{field} must be a positive number of milliseconds up to {MaxLatencyMs:N0}, not {value}.");
        }

        var metric = Metric(requirement.AccuracyMetric);
        if (requirement.AccuracyMetric is not null || requirement.AccuracyThreshold is not null || requirement.AccuracyDatasetId is not null)
        {
            Check(metric is not null, "accuracyMetric",
                $"accuracyMetric must be one of {string.Join(", ", Metrics.Where(m => m.Task == task).Select(m => m.Name))}, not '{requirement.AccuracyMetric}'.");
            Check(metric is null || metric.Task == task, "accuracyMetric",
                $"{requirement.AccuracyMetric} is a {metric?.Task} metric; this module's task is {task}.");
            Check(requirement.AccuracyThreshold is { } t && double.IsFinite(t) && t is >= 0 and <= 1, "accuracyThreshold",
                $"accuracyThreshold must be a fraction from 0 to 1 (0.9 for 90 %), not {requirement.AccuracyThreshold?.ToString() ?? "missing"}.");
            Check(metric is null || !(metric.HigherIsBetter ? requirement.AccuracyThreshold == 0 : requirement.AccuracyThreshold == 1), "accuracyThreshold",
                $"A {metric?.Name} target of {requirement.AccuracyThreshold} is met by any model; it checks nothing.");
            Check(requirement.AccuracyDatasetId is not null, "accuracyDatasetId", "accuracyDatasetId must name the test set the accuracy target is measured on.");
        }

        Check(requirement.TargetQps is null || (double.IsFinite(requirement.TargetQps.Value) && requirement.TargetQps > 0 && requirement.TargetQps <= Capacity.CapacityPlanner.MaxQps),
            "targetQps", $"targetQps must be a positive number of requests per second, not {requirement.TargetQps}.");
        Check(requirement.GpuMemoryGb is null || (double.IsFinite(requirement.GpuMemoryGb.Value) && requirement.GpuMemoryGb > 0 && requirement.GpuMemoryGb <= 4096),
            "gpuMemoryGb", $"gpuMemoryGb must be a positive number of GB up to 4096, not {requirement.GpuMemoryGb}.");
        Check(requirement.GpuMemoryGb is null || requirement.ServingTarget is null or ServingTarget.LocalGpu or ServingTarget.CloudGpu,
            "gpuMemoryGb", $"GPU memory is given but the serving target {requirement.ServingTarget} has no GPU.");
        Check(requirement.BudgetPerMonth is null or >= 0, "budgetPerMonth", $"budgetPerMonth must not be negative, not {requirement.BudgetPerMonth}.");
        Check((requirement.GpuModel?.Length ?? 0) <= 100 && (requirement.Cpu?.Length ?? 0) <= 100, "gpuModel", "gpuModel and cpu are at most 100 characters.");
        Check(!string.IsNullOrWhiteSpace(requirement.Rationale), "rationale", "rationale must say why the module needs these targets.");
        Check(requirement.Rationale.Length <= MaxRationaleLength, "rationale", $"rationale is at most {MaxRationaleLength} characters, not {requirement.Rationale.Length}.");
        Check(requirement.OfflineP95Ms is not null || requirement.OnlineP95Ms is not null || requirement.AccuracyMetric is not null || requirement.TargetQps is not null,
            "requirement", "A requirement needs at least one target: offline or online p95, accuracy, or QPS.");
        return problems;
    }
}
