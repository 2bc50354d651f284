using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>An evaluation run as lists show it; progress is live while the run executes in this process.</summary>
public sealed record RunSummary(
    int Id, int ModuleId, string Module, TaskType TaskType, int ModelVersionId, string Version, int DatasetId, string Dataset,
    RunStatus Status, int Done, int Total, double ItemsPerSecond, double? EtaSeconds, string? Provider, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, Estimate? Headline, ProcessingTime? ProcessingTime,
    string? RanOn = null)
{
    /// <summary>"accuracy" for classifiers, "exact match" for recognisers.</summary>
    public string HeadlineName => TaskTypes.HeadlineName(TaskType);
}

/// <summary>A run with its full metrics (null until it completes).</summary>
public sealed record RunDetail(RunSummary Summary, IReadOnlyList<string> Labels, RunMetrics? Metrics);

/// <summary>One stored prediction as the API and pages show it.</summary>
public sealed record PredictionItem(
    long SampleId, int Ordinal, string GroundTruth, IReadOnlyList<string> Tags, string? Output, double? Confidence, bool Correct,
    int? EditDistance, IReadOnlyList<StoredClassScore> TopK, double QueueMs, double PreprocessMs, double ComputeMs, double PostprocessMs,
    int BatchSize, string? Error, string ImageUrl);

/// <summary>A page of predictions and how many the run has in all.</summary>
public sealed record PredictionPage(IReadOnlyList<PredictionItem> Items, int Total);

/// <summary>Reads evaluation runs and their predictions for the Evaluations pages and the API.</summary>
public sealed class EvaluationCatalog(IDbContextFactory<QualityHubDbContext> contextFactory, EvaluationNotifier notifier)
{
    public const int MaxPageSize = 1000;

    public async Task<IReadOnlyList<RunSummary>> GetRunsAsync(int? moduleId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var query = db.EvaluationRuns.AsQueryable();
        if (moduleId is { } module)
        {
            query = query.Where(r => r.ModelVersion!.ModuleId == module);
        }

        var rows = await Project(query.OrderByDescending(r => r.Id)).ToListAsync(cancellationToken);
        return rows.Select(Summarise).ToList();
    }

    public async Task<RunDetail?> GetRunAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await Project(db.EvaluationRuns.Where(r => r.Id == id)).SingleOrDefaultAsync(cancellationToken);
        return row is null ? null : new RunDetail(Summarise(row), row.Labels, RunMetricsCalculator.Parse(row.MetricsJson));
    }

    /// <summary>Predictions in dataset order; null when the run does not exist.</summary>
    public async Task<PredictionPage?> GetPredictionsAsync(int runId, int skip, int take, CancellationToken cancellationToken = default) =>
        await GetPredictionsAsync(runId, skip, take, null, cancellationToken);

    /// <summary>Predictions matching <paramref name="filter"/>, in dataset order; null when the run does not exist.</summary>
    public async Task<PredictionPage?> GetPredictionsAsync(int runId, int skip, int take, PredictionFilter? filter, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.EvaluationRuns.Where(r => r.Id == runId).Select(r => (TaskType?)r.Dataset!.TaskType).SingleOrDefaultAsync(cancellationToken);
        if (task is null)
        {
            return null;
        }

        if (filter is { TrueLabel: null, PredictedLabel: null, WrongOnly: false })
        {
            filter = null;
        }

        var total = filter is null
            ? await db.Predictions.CountAsync(p => p.EvaluationRunId == runId, cancellationToken)
            : await RunMetricsCalculator.Query(db, runId, filter).CountAsync(cancellationToken);
        var rows = await RunMetricsCalculator.Query(db, runId, filter).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 0, MaxPageSize)).ToListAsync(cancellationToken);
        return new PredictionPage(rows.Select(p => ToItem(p, task.Value)).ToList(), total);
    }

    /// <summary>Every prediction of a run, streamed in dataset order (for exports).</summary>
    public async IAsyncEnumerable<PredictionItem> StreamPredictionsAsync(int runId, TaskType task, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = RunMetricsCalculator.Query(db, runId).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return ToItem(row, task);
        }
    }

    public static PredictionItem ToItem(ScoredPrediction p, TaskType task)
    {
        if (task == TaskType.Pipeline)
        {
            // A card photo's truth is its fields and lines; shown as the output is, the number's digits and the expiry.
            var truth = TaskTypes.ExpectedOutput(task, p.Truth);
            int? fieldsDistance = p.Error is null ? Core.Metrics.EditDistance.Levenshtein(p.Output ?? "", truth) : null;
            return new PredictionItem(
                p.SampleId, p.Ordinal, truth, p.Tags, p.Output, p.Confidence, p.Error is null && p.Output == truth, fieldsDistance, [],
                p.QueueMs, p.PreprocessMs, p.ComputeMs, p.PostprocessMs, p.BatchSize, p.Error, $"api/samples/{p.SampleId}/image");
        }

        var topK = p.TopKJson is null ? [] : JsonSerializer.Deserialize<List<StoredClassScore>>(p.TopKJson, RunMetricsCalculator.Json)!;
        int? distance = task == TaskType.TextRecognition && p.Error is null ? Core.Metrics.EditDistance.Levenshtein(p.Output ?? "", p.Truth) : null;
        return new PredictionItem(
            p.SampleId, p.Ordinal, p.Truth, p.Tags, p.Output, p.Confidence, p.Error is null && p.Output == p.Truth, distance, topK,
            p.QueueMs, p.PreprocessMs, p.ComputeMs, p.PostprocessMs, p.BatchSize, p.Error, $"api/samples/{p.SampleId}/image");
    }

    private sealed record RunRow(
        int Id, int ModuleId, string Module, TaskType TaskType, int ModelVersionId, string Version, int DatasetId, string Dataset, List<string> Labels,
        RunStatus Status, int Done, int Total, string? Provider, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
        DateTimeOffset? CompletedAt, string? MetricsJson, string? RanOn);

    private static IQueryable<RunRow> Project(IQueryable<EvaluationRun> runs) => runs.Select(r => new RunRow(
        r.Id, r.ModelVersion!.ModuleId, r.ModelVersion.Module!.Name, r.Dataset!.TaskType, r.ModelVersionId, r.ModelVersion.Name, r.DatasetId, r.Dataset.Name,
        r.Dataset.Labels, r.Status, r.CompletedSamples, r.TotalSamples, r.Provider, r.Error, r.CreatedAt, r.StartedAt, r.CompletedAt, r.MetricsJson, r.RanOn));

    private RunSummary Summarise(RunRow r)
    {
        var metrics = RunMetricsCalculator.Parse(r.MetricsJson);
        var live = r.Status is RunStatus.Running or RunStatus.Queued ? notifier.Latest(r.Id) : null;
        var status = live is { Status: RunStatus.Running } ? RunStatus.Running : r.Status;
        return new RunSummary(
            r.Id, r.ModuleId, r.Module, r.TaskType, r.ModelVersionId, r.Version, r.DatasetId, r.Dataset, status,
            Math.Max(r.Done, live?.Done ?? 0), r.Total, live?.ItemsPerSecond ?? 0, live?.EtaSeconds, r.Provider, r.Error,
            r.CreatedAt, r.StartedAt, r.CompletedAt, metrics?.Headline, metrics?.ProcessingTime, r.RanOn);
    }
}
