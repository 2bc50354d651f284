using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Evaluations;

/// <summary>
/// Executes one evaluation run: every sample of the dataset that has no prediction yet goes through the model
/// (many in flight, so the engine batches), predictions are bulk-written as they arrive, then batch-1 latency is
/// timed and the metrics are computed and stored. A run that stopped half-way (restart, crash) continues from
/// what was written; cancellation leaves the written predictions and throws.
/// </summary>
public sealed partial class EvaluationRunner(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    ModelRegistry registry,
    ContentStore store,
    ModelTaskRunner taskRunner,
    RunMetricsCalculator metricsCalculator,
    IOptions<EvaluationOptions> options,
    ILogger<EvaluationRunner> logger)
{
    /// <summary>When every one of this many first samples fails, the model is broken, not the samples: the run fails.</summary>
    private const int FailFastSamples = 50;

    private static readonly JsonSerializerOptions TopKJson = new(JsonSerializerDefaults.Web);

    public async Task RunAsync(int runId, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(runId, progress, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 13)
        {
            await FailAsync(runId, progress,
                "The database or its disk is full (or Storage:MaxDatabaseMb is reached). Predictions written before are kept; free space and evaluate again.", e);
        }
        catch (EvaluationException e)
        {
            await FailAsync(runId, progress, e.Message, null);
        }
        catch (Exception e) when (e is SqliteException or DbUpdateException or IOException or OnnxRuntimeException or InvalidModelCardException)
        {
            await FailAsync(runId, progress, e.Message, e);
        }
    }

    private async Task ExecuteAsync(int runId, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var plan = await PlanAsync(runId, cancellationToken);
        progress?.Report(new EvaluationProgress(runId, RunStatus.Running, plan.Done, plan.Total, 0));

        var started = Stopwatch.GetTimestamp();
        var provider = await PredictAllAsync(plan, settings, progress, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var runRate = plan.Remaining.Count > 0 && elapsed > 0 ? plan.Remaining.Count / elapsed : 0;

        var batchOne = await TimeBatchOneAsync(plan, settings.BatchOneProbeSamples, cancellationToken);
        var metrics = await metricsCalculator.ComputeAsync(runId, new ThroughputFigures(runRate, batchOne.ItemsPerSecond, batchOne.LatenciesMs), cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(CancellationToken.None);
        var run = await db.EvaluationRuns.SingleAsync(r => r.Id == runId, CancellationToken.None);
        run.Status = RunStatus.Completed;
        run.CompletedSamples = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId, CancellationToken.None);
        run.MetricsJson = metrics;
        run.Provider = provider ?? run.Provider;
        run.CompletedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(CancellationToken.None);
        LogCompleted(runId, run.CompletedSamples, runRate);
        progress?.Report(new EvaluationProgress(runId, RunStatus.Completed, run.CompletedSamples, plan.Total, runRate));
    }

    private sealed record SampleWork(long Id, string ImageSha256, string Truth);

    private sealed record RunPlan(int RunId, ModelSpec Spec, ModelCard Card, int Total, int Done, IReadOnlyList<SampleWork> Remaining)
    {
        /// <summary>Class index by label, to read the true class's probability for the loss.</summary>
        public Dictionary<string, int> LabelIndex { get; } = Card.Labels.Select((label, i) => (label, i)).DistinctBy(x => x.label).ToDictionary(x => x.label, x => x.i);
    }

    private async Task<RunPlan> PlanAsync(int runId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.EvaluationRuns.Include(r => r.ModelVersion!).ThenInclude(v => v.Module).SingleOrDefaultAsync(r => r.Id == runId, cancellationToken)
            ?? throw new EvaluationException($"There is no evaluation run {runId}.", 404);
        var version = run.ModelVersion!;
        var card = EvaluationService.CardOf(version);

        var remaining = await db.Samples
            .Where(s => s.DatasetId == run.DatasetId && !db.Predictions.Any(p => p.EvaluationRunId == runId && p.SampleId == s.Id))
            .OrderBy(s => s.Ordinal)
            .Select(s => new SampleWork(s.Id, s.ImageSha256, s.GroundTruth))
            .ToListAsync(cancellationToken);
        var done = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId, cancellationToken);

        // Progress is counted from what is stored, so a run resumed after a crash reports the truth.
        run.Status = RunStatus.Running;
        run.StartedAt ??= DateTimeOffset.UtcNow;
        run.CompletedSamples = done;
        run.TotalSamples = done + remaining.Count;
        run.Error = null;
        await db.SaveChangesAsync(cancellationToken);
        if (done > 0)
        {
            LogResuming(runId, done, run.TotalSamples);
        }

        return new RunPlan(runId, registry.SpecFor(version, version.Module!.Name), card, run.TotalSamples, done, remaining);
    }

    private async Task<string?> PredictAllAsync(RunPlan plan, EvaluationOptions settings, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        if (plan.Remaining.Count == 0)
        {
            return null;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<Prediction>(new BoundedChannelOptions(settings.WriteBatch * 2) { SingleReader = true });
        var state = new RunState(plan.RunId, plan.Total, plan.Done, progress);
        var writing = Task.Run(() => WriteAllAsync(plan.RunId, channel.Reader, settings.WriteBatch, stop));

        string? provider = null;
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.InFlight, CancellationToken = stop.Token };
            await Parallel.ForEachAsync(plan.Remaining, parallel, async (sample, token) =>
            {
                var (prediction, ranOn) = await PredictAsync(plan, sample, settings.MaxImagePixels, token);
                if (prediction.Error is null)
                {
                    provider ??= ranOn;
                }

                if (state.Count(prediction.Error, FailFastSamples))
                {
                    await stop.CancelAsync();
                }

                await channel.Writer.WriteAsync(prediction, token);
            });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Stopped from inside: a write failed (the writer's exception surfaces below) or the model fails on everything.
        }
        finally
        {
            channel.Writer.TryComplete();
            await writing;
        }

        if (state.AllFailed is { } firstError)
        {
            throw new EvaluationException($"The model failed on each of the first {FailFastSamples} samples: {firstError}");
        }

        return provider;
    }

    private async Task WriteAllAsync(int runId, ChannelReader<Prediction> reader, int batchSize, CancellationTokenSource stop)
    {
        try
        {
            await using var writer = await PredictionWriter.OpenAsync(contextFactory, runId, CancellationToken.None);
            var buffer = new List<Prediction>(batchSize);
            var lastFlush = Stopwatch.GetTimestamp();
            await foreach (var prediction in reader.ReadAllAsync(CancellationToken.None))
            {
                buffer.Add(prediction);
                if (buffer.Count >= batchSize || Stopwatch.GetElapsedTime(lastFlush).TotalSeconds >= 1)
                {
                    await writer.WriteAsync(buffer);
                    buffer.Clear();
                    lastFlush = Stopwatch.GetTimestamp();
                }

            }

            await writer.WriteAsync(buffer);
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task<(Prediction Prediction, string Provider)> PredictAsync(RunPlan plan, SampleWork sample, long maxPixels, CancellationToken cancellationToken)
    {
        var prediction = new Prediction { EvaluationRunId = plan.RunId, SampleId = sample.Id };
        try
        {
            // Small files: a synchronous read is several times cheaper than the thread-pool round trip of an async one.
            var bytes = File.ReadAllBytes(store.PathOf(sample.ImageSha256));
            var image = PngDecoder.Decode(bytes, maxPixels);
            var result = await taskRunner.RunAsync(plan.Spec, plan.Card, image, cancellationToken);
            prediction.Output = result.Output;
            prediction.Confidence = result.Confidence;
            prediction.TopKJson = result.Task == ModelTask.ImageClassification
                ? JsonSerializer.Serialize(result.TopK.Select(s => new StoredClassScore(s.Label, Math.Round(s.Probability, 6))), TopKJson)
                : null;
            prediction.QueueMs = result.Timing.QueueMs;
            prediction.PreprocessMs = result.Timing.PreprocessMs;
            prediction.ComputeMs = result.Timing.ComputeMs;
            prediction.PostprocessMs = result.Timing.PostprocessMs;
            prediction.BatchSize = result.Timing.BatchSize;
            if (result.Task == ModelTask.TextRecognition)
            {
                prediction.EditDistance = Core.Metrics.EditDistance.Levenshtein(result.Output, sample.Truth);
            }
            else if (result.Probabilities is { } probabilities && plan.LabelIndex.TryGetValue(sample.Truth, out var truthIndex) && truthIndex < probabilities.Count)
            {
                // Clamped so that a probability rounded to zero gives a large, finite loss.
                prediction.Loss = -Math.Log(Math.Max(probabilities[truthIndex], 1e-12));
            }

            return (prediction, result.Provider.ToString());
        }
        catch (Exception e) when (e is InvalidImageException or OnnxRuntimeException or InvalidModelCardException or IOException or ArgumentException or InvalidOperationException
                                  && !cancellationToken.IsCancellationRequested)
        {
            // One bad sample is a recorded error, not a failed run.
            prediction.Error = e is FileNotFoundException or DirectoryNotFoundException ? "The sample's image is missing from the store." : e.Message;
            return (prediction, "");
        }
    }

    private sealed record BatchOneTiming(double ItemsPerSecond, IReadOnlyList<double> LatenciesMs);

    /// <summary>Latency and throughput with one request at a time (the engine then runs batches of one).</summary>
    private async Task<BatchOneTiming> TimeBatchOneAsync(RunPlan plan, int count, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var samples = await db.Samples
            .Where(s => db.Predictions.Any(p => p.EvaluationRunId == plan.RunId && p.SampleId == s.Id && p.Error == null))
            .OrderBy(s => s.Ordinal).Take(count)
            .Select(s => s.ImageSha256).ToListAsync(cancellationToken);
        var images = new List<Image>(samples.Count);
        foreach (var sha in samples)
        {
            images.Add(PngDecoder.Decode(await File.ReadAllBytesAsync(store.PathOf(sha), cancellationToken), options.Value.MaxImagePixels));
        }

        var latencies = new List<double>(images.Count);
        var started = Stopwatch.GetTimestamp();
        foreach (var image in images)
        {
            var result = await taskRunner.RunAsync(plan.Spec, plan.Card, image, cancellationToken);
            latencies.Add(result.Timing.TotalMs);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new BatchOneTiming(latencies.Count > 0 && seconds > 0 ? latencies.Count / seconds : 0, latencies);
    }

    private async Task FailAsync(int runId, IProgress<EvaluationProgress>? progress, string message, Exception? exception)
    {
        LogFailed(exception, runId, message);
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync();
            var run = await db.EvaluationRuns.SingleOrDefaultAsync(r => r.Id == runId);
            if (run is null)
            {
                return;
            }

            run.Status = RunStatus.Failed;
            run.Error = message;
            run.CompletedAt = DateTimeOffset.UtcNow;
            run.CompletedSamples = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId);
            await db.SaveChangesAsync();
            progress?.Report(new EvaluationProgress(runId, RunStatus.Failed, run.CompletedSamples, run.TotalSamples, 0, message));
        }
        catch (Exception e) when (e is SqliteException or DbUpdateException)
        {
            // Even the status cannot be written (the disk is full): the run stays "running" and resumes on the next start.
            LogStatusUnwritable(e, runId);
        }
    }

    /// <summary>Counts predictions for progress and notices a model that fails on everything.</summary>
    private sealed class RunState(int runId, int total, int done, IProgress<EvaluationProgress>? progress)
    {
        private readonly long started = Stopwatch.GetTimestamp();
        private readonly int startDone = done;
        private int done = done;
        private int errors;
        private int succeeded;
        private string? firstError;
        private long lastReport;

        public string? AllFailed { get; private set; }

        /// <summary>Counts one prediction; true when the first <paramref name="failFast"/> all failed and the run should stop.</summary>
        public bool Count(string? error, int failFast)
        {
            var now = Interlocked.Increment(ref done);
            if (error is null)
            {
                Volatile.Write(ref succeeded, 1);
            }
            else
            {
                Interlocked.CompareExchange(ref firstError, error, null);
                if (Interlocked.Increment(ref errors) == failFast && Volatile.Read(ref succeeded) == 0)
                {
                    AllFailed = firstError;
                }
            }

            var tick = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref lastReport);
            if (progress is not null && (now == total || Stopwatch.GetElapsedTime(last, tick).TotalMilliseconds >= 200)
                && Interlocked.CompareExchange(ref lastReport, tick, last) == last)
            {
                var seconds = Stopwatch.GetElapsedTime(started, tick).TotalSeconds;
                progress.Report(new EvaluationProgress(runId, RunStatus.Running, now, total, seconds > 0 ? (now - startDone) / seconds : 0));
            }

            return AllFailed is not null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation run {RunId} resumes: {Done} of {Total} samples were already predicted")]
    private partial void LogResuming(int runId, int done, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation run {RunId} completed: {Count} predictions, {Rate:F0} items/s")]
    private partial void LogCompleted(int runId, int count, double rate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {RunId} failed: {Reason}")]
    private partial void LogFailed(Exception? exception, int runId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluation run {RunId}: its failure could not be recorded")]
    private partial void LogStatusUnwritable(Exception exception, int runId);
}

/// <summary>A class and its probability as stored in a prediction's top-k.</summary>
public sealed record StoredClassScore(string Label, double P);
