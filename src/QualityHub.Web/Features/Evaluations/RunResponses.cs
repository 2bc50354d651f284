using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>Where a run stands, as the API shows it.</summary>
public sealed record RunProgressView(int Done, int Total, double Fraction, double ItemsPerSecond, double? EtaSeconds);

/// <summary>A run as GET /api/evaluations lists it: what, where, status and progress, and its headline numbers.</summary>
public class RunListItem(RunSummary s)
{
    public int Id { get; } = s.Id;
    public string Status { get; } = s.Status.ToString().ToLowerInvariant();
    public string Module { get; } = s.Module;
    public int ModuleId { get; } = s.ModuleId;
    public TaskType TaskType { get; } = s.TaskType;
    public int ModelVersionId { get; } = s.ModelVersionId;
    public string Version { get; } = s.Version;
    public int DatasetId { get; } = s.DatasetId;
    public string Dataset { get; } = s.Dataset;
    public RunProgressView Progress { get; } = new(s.Done, s.Total, s.Total == 0 ? 0 : (double)s.Done / s.Total, s.ItemsPerSecond, s.EtaSeconds);
    public string? Error { get; } = s.Error;
    public Estimate? Headline { get; } = s.Headline;
    public string HeadlineName { get; } = s.HeadlineName;
    /// <summary>Processing time p95: one input at a time, end to end; null when the run did not measure it.</summary>
    public double? ProcessingTimeP95Ms { get; } = s.ProcessingTime?.P95Ms.Value;
    public DateTimeOffset CreatedAt { get; } = s.CreatedAt;
    public DateTimeOffset? CompletedAt { get; } = s.CompletedAt;
}

/// <summary>A run as GET /api/evaluations/{id} shows it: the list's fields, the provider, and the metrics once it completes.</summary>
public sealed class RunResponse(RunDetail run) : RunListItem(run.Summary)
{
    /// <summary>The version's name (also as <see cref="RunListItem.Version"/>).</summary>
    public string ModelVersion { get; } = run.Summary.Version;
    public string? Provider { get; } = run.Summary.Provider;

    /// <summary>The workers that ran it, each with its device; null when the portal ran the model in its own process.</summary>
    public string? RanOn { get; } = run.Summary.RanOn;
    public DateTimeOffset? StartedAt { get; } = run.Summary.StartedAt;
    public RunMetricsView? Metrics { get; } = run.Metrics is { } m ? new RunMetricsView(m) : null;
}

/// <summary>A completed run's metrics: the headline numbers flat, and every metric under Detail.</summary>
public sealed class RunMetricsView(RunMetrics m)
{
    public int Count { get; } = m.Count;
    public int Errors { get; } = m.Errors;
    public double? Accuracy { get; } = m.Classification?.Accuracy.Value;
    public double[]? AccuracyInterval { get; } = m.Classification is { } c ? [c.Accuracy.Low, c.Accuracy.High] : null;
    public double? MacroF1 { get; } = m.Classification?.MacroF1.Value;
    public double? ExactMatch { get; } = m.Text?.ExactMatch.Value;
    public double? CharacterErrorRate { get; } = m.Text?.CharacterErrorRate.Value;

    /// <summary>The text scores with outputs and truth compared under the module's rule when the run was made; null when exact.</summary>
    public TextScores? UnderRule { get; } = m.Text?.UnderRule;
    public double? NormalizedEditDistance { get; } = m.Text?.NormalizedEditDistance.Value;
    /// <summary>One input at a time, from encoded image to final output; null for runs made before it was measured.</summary>
    public object? ProcessingTime { get; } = m.ProcessingTime is { } p
        ? new { samples = p.Samples, p50 = p.P50Ms, p95 = p.P95Ms.Value, p95Interval = new[] { p.P95Ms.Low, p.P95Ms.High }, p99 = p.P99Ms, mean = p.MeanMs, max = p.MaxMs, unit = "ms" }
        : null;
    public object Throughput { get; } = new
    {
        batchOneItemsPerSecond = m.Throughput.BatchOneItemsPerSecond,
        batchedItemsPerSecond = m.Throughput.BatchedItemsPerSecond,
        batchedItemMs = new { p50 = m.BatchedItemTime.P50Ms, p95 = m.BatchedItemTime.P95Ms },
        meanBatchSize = m.Throughput.MeanBatchSize,
        largestBatch = m.Throughput.LargestBatch,
    };

    /// <summary>A pipeline run's share of photos with every field right; null for a model's run.</summary>
    public double? CardsReadRight { get; } = m.Fields?.CardsReadRight.Value;

    /// <summary>A pipeline run's detector regions against the true lines (precision, recall, H-mean at IoU 0.5 with intervals); null for a model's run.</summary>
    public DetectionReport? Detection { get; } = m.Detection;

    /// <summary>A pipeline run's fields (exact match and edit distances with intervals, wrong ones by stage) and the recogniser alone; null for a model's run.</summary>
    public Core.Pipelines.PipelineFieldsReport? Fields { get; } = m.Fields;

    /// <summary>A pipeline run's wrong fields by the stage put down to (detector, recogniser, parser); null for a model's run.</summary>
    public IReadOnlyDictionary<string, int>? Blame { get; } = m.Blame;

    /// <summary>A pipeline run's time per photo, stage by stage; null for a model's run.</summary>
    public Core.Pipelines.PipelineStageTimes? Stages { get; } = m.PipelineStages;

    /// <summary>The memory one session of the model took (the capacity planner's start); null for runs made before it was measured.</summary>
    public MeasuredMemory? Memory { get; } = m.Memory;
    public RunMetrics Detail { get; } = m;
}
