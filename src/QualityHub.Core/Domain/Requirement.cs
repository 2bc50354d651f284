namespace QualityHub.Core.Domain;

/// <summary>What a module must meet, as a planner states it; each change is a new version.</summary>
public sealed class Requirement
{
    public int Id { get; set; }
    public int ModuleId { get; set; }
    public Module? Module { get; set; }
    public int Version { get; set; }

    public double? OfflineP95Ms { get; set; }
    public double? OnlineP95Ms { get; set; }

    /// <summary>Metric name the accuracy target applies to (e.g. "accuracy", "cer").</summary>
    public string? AccuracyMetric { get; set; }
    public double? AccuracyThreshold { get; set; }
    public int? AccuracyDatasetId { get; set; }

    public double? TargetQps { get; set; }
    public ServingTarget? ServingTarget { get; set; }
    public string? GpuModel { get; set; }
    public double? GpuMemoryGb { get; set; }
    public string? Cpu { get; set; }
    public decimal? BudgetPerMonth { get; set; }
    public string Rationale { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Where the module is served.</summary>
public enum ServingTarget
{
    Mobile = 1,
    LocalCpu = 2,
    LocalGpu = 3,
    CloudCpu = 4,
    CloudGpu = 5,
}
