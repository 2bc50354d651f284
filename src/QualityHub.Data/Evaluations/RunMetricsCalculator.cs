using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;

namespace QualityHub.Data.Evaluations;

/// <summary>What the runner timed outside the stored predictions: the batched run's rate and the processing time (null when not measured).</summary>
public sealed record ThroughputFigures(double BatchedItemsPerSecond, ProcessingTime? ProcessingTime, MeasuredMemory? Memory = null);

/// <summary>One stored prediction with its sample's ground truth and tags: the input of every metric.</summary>
public sealed record ScoredPrediction(
    long SampleId, int Ordinal, string Truth, IReadOnlyList<string> Tags, string? Output, double? Confidence, string? TopKJson,
    double QueueMs, double PreprocessMs, double ComputeMs, double PostprocessMs, int BatchSize, string? Error)
{
    /// <summary>The top-k labels when the caller has them already (a run that just made them), so the JSON is not parsed back.</summary>
    public IReadOnlyList<string>? TopKLabels { get; init; }
}

/// <summary>Narrows a run's predictions: a true label, a predicted label (a confusion-matrix cell), or only the mistakes.</summary>
public sealed record PredictionFilter(string? TrueLabel = null, string? PredictedLabel = null, bool WrongOnly = false);

/// <summary>Turns a run's stored predictions into its metrics (Core does the maths).</summary>
public sealed class RunMetricsCalculator(IDbContextFactory<QualityHubDbContext> contextFactory, IOptions<EvaluationOptions> options)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The run's metrics as stored JSON.</summary>
    public async Task<string> ComputeAsync(int runId, ThroughputFigures throughput, CancellationToken cancellationToken = default) =>
        Serialize(await ComputeMetricsAsync(runId, throughput, cancellationToken));

    /// <summary>
    /// The run's metrics as stored JSON, from <paramref name="predictions"/> (every prediction of the run, in dataset order,
    /// when the caller holds them: a run made in one go) or, when null, from the database. Both give the same metrics.
    /// </summary>
    public async Task<string> ComputeAsync(int runId, ThroughputFigures throughput, IReadOnlyList<ScoredPrediction>? predictions, CancellationToken cancellationToken = default) =>
        Serialize(await ComputeMetricsAsync(runId, throughput, predictions, cancellationToken));

    public async Task<RunMetrics> ComputeMetricsAsync(int runId, ThroughputFigures throughput, CancellationToken cancellationToken = default) =>
        await ComputeMetricsAsync(runId, throughput, null, cancellationToken);

    /// <summary>
    /// The run's metrics from its predictions alone, before the figures timed apart from them are known (a runner computes
    /// these while it times the model): add them with <see cref="WithThroughput"/>.
    /// </summary>
    public Task<RunMetrics> ComputeMetricsAsync(int runId, IReadOnlyList<ScoredPrediction>? predictions, CancellationToken cancellationToken = default) =>
        ComputeMetricsAsync(runId, NotTimed, predictions, cancellationToken);

    private static readonly ThroughputFigures NotTimed = new(0, null);

    /// <summary><paramref name="metrics"/> with the batched rate, the processing time and the memory of <paramref name="throughput"/>.</summary>
    public static RunMetrics WithThroughput(RunMetrics metrics, ThroughputFigures throughput) => metrics with
    {
        Throughput = metrics.Throughput with
        {
            BatchOneItemsPerSecond = throughput.ProcessingTime?.ItemsPerSecond ?? 0,
            BatchedItemsPerSecond = throughput.BatchedItemsPerSecond,
        },
        ProcessingTime = throughput.ProcessingTime,
        Memory = throughput.Memory,
    };

    /// <summary>Metrics as they are stored.</summary>
    public static string Serialize(RunMetrics metrics) => JsonSerializer.Serialize(metrics, Json);

    private async Task<RunMetrics> ComputeMetricsAsync(int runId, ThroughputFigures throughput, IReadOnlyList<ScoredPrediction>? predictions, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.EvaluationRuns.Include(r => r.Dataset).Include(r => r.ModelVersion!).ThenInclude(v => v.Module).SingleAsync(r => r.Id == runId, cancellationToken);
        predictions ??= await LoadAsync(db, runId, cancellationToken);
        return Compute(run.Dataset!.TaskType, run.Dataset.Labels, predictions, throughput, new BootstrapSettings(options.Value.BootstrapResamples),
            run.ModelVersion?.Module?.TextComparison ?? TextComparison.Exact);
    }

    /// <summary>A run's predictions joined with their samples, in dataset order.</summary>
    public static Task<List<ScoredPrediction>> LoadAsync(QualityHubDbContext db, int runId, CancellationToken cancellationToken) =>
        Query(db, runId).ToListAsync(cancellationToken);

    /// <summary>The query behind <see cref="LoadAsync"/>, for paging and streaming, optionally only one cell of the confusion matrix or only the mistakes.</summary>
    public static IQueryable<ScoredPrediction> Query(QualityHubDbContext db, int runId, PredictionFilter? filter = null)
    {
        // A run's samples are its dataset's: naming the dataset lets both engines walk (DatasetId, Ordinal) in order and stop
        // at a page's end, instead of sorting every sample of every dataset first (a 100,000-prediction run's first page:
        // 84 → 1 ms on PostgreSQL, 35 → 2 ms on SQLite).
        var runSamples = db.Samples.Where(s => s.DatasetId == db.EvaluationRuns.Where(r => r.Id == runId).Select(r => r.DatasetId).First());
        var rows = db.Predictions.Where(p => p.EvaluationRunId == runId).Join(runSamples, p => p.SampleId, s => s.Id, (p, s) => new { p, s });
        if (filter?.TrueLabel is { } truth)
        {
            rows = rows.Where(x => x.s.GroundTruth == truth);
        }

        if (filter?.PredictedLabel is { } predicted)
        {
            rows = rows.Where(x => x.p.Error == null && x.p.Output == predicted);
        }

        if (filter?.WrongOnly == true)
        {
            rows = rows.Where(x => x.p.Error != null || x.p.Output != x.s.GroundTruth);
        }

        return rows.OrderBy(x => x.s.Ordinal)
            .Select(x => new ScoredPrediction(
                x.p.SampleId, x.s.Ordinal, x.s.GroundTruth, x.s.Tags, x.p.Output, x.p.Confidence, x.p.TopKJson,
                x.p.QueueMs, x.p.PreprocessMs, x.p.ComputeMs, x.p.PostprocessMs, x.p.BatchSize, x.p.Error));
    }

    public static RunMetrics Compute(
        TaskType task, IReadOnlyList<string> labels, IReadOnlyList<ScoredPrediction> predictions, ThroughputFigures throughput, BootstrapSettings bootstrap,
        TextComparison textRule = TextComparison.Exact)
    {
        var answered = predictions.Where(p => p.Error is null).ToList();
        var serviceMs = answered.Select(p => p.PreprocessMs + p.ComputeMs + p.PostprocessMs).ToList();
        var stages = new StageLatency(
            LatencyStats.Summarize(answered.Select(p => p.QueueMs).ToList()),
            LatencyStats.Summarize(answered.Select(p => p.PreprocessMs).ToList()),
            LatencyStats.Summarize(answered.Select(p => p.ComputeMs).ToList()),
            LatencyStats.Summarize(answered.Select(p => p.PostprocessMs).ToList()));
        // The timed figures are set by WithThroughput, the one place that maps them.
        var runThroughput = new RunThroughput(
            0,
            0,
            answered.Count == 0 ? 0 : answered.Average(p => (double)p.BatchSize),
            answered.Count == 0 ? 0 : answered.Max(p => p.BatchSize));
        var errors = predictions.Count - answered.Count;

        if (task == TaskType.TextRecognition)
        {
            var text = TextRecognitionMetrics.Compute(
                predictions.Select(p => new RecognizedItem(p.Truth, p.Error is null ? p.Output ?? "" : null, p.Tags)).ToList(), bootstrap, textRule);
            return WithThroughput(new RunMetrics(task.ToString(), predictions.Count, errors, text.ExactMatch, LatencyStats.Summarize(serviceMs), stages, runThroughput,
                LatencyStats.Histogram(serviceMs), null, text), throughput);
        }

        var classification = ClassificationMetrics.Compute(
            labels,
            predictions.Select(p => new ClassifiedItem(p.Truth, p.Error is null ? p.Output : null, p.Confidence ?? 0, p.TopKLabels ?? TopKLabels(p.TopKJson), p.Tags)).ToList(),
            bootstrap);
        return WithThroughput(new RunMetrics(task.ToString(), predictions.Count, errors, classification.Accuracy, LatencyStats.Summarize(serviceMs), stages, runThroughput,
            LatencyStats.Histogram(serviceMs), classification, null), throughput);
    }

    /// <summary>The labels of a stored top-k, best first.</summary>
    public static IReadOnlyList<string> TopKLabels(string? topKJson) =>
        topKJson is null ? [] : JsonSerializer.Deserialize<List<StoredClassScore>>(topKJson, Json)!.Select(s => s.Label).ToList();

    /// <summary>The stored metrics of a run, or null when it has none yet.</summary>
    public static RunMetrics? Parse(string? metricsJson) => metricsJson is null ? null : JsonSerializer.Deserialize<RunMetrics>(metricsJson, Json);
}
