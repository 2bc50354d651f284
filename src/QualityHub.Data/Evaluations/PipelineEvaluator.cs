using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Pipelines;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Evaluations;

/// <summary>
/// Executes an evaluation run of a pipeline version: every photo of the dataset without a stored prediction goes
/// through the card reader one at a time (so each photo's stage times are its processing time, nothing else in
/// flight), and the recogniser reads the photo's true number and expiry lines alone; each photo's whole answer is
/// stored with its prediction (<see cref="CardReadOutput"/>), a few photos per write, so a run that stops half-way
/// resumes from what is stored. The metrics (<see cref="PipelineMetrics"/>) are computed from the stored outputs.
/// </summary>
public sealed partial class PipelineEvaluator(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    ModelRegistry registry,
    PipelineRegistry pipelines,
    ContentStore store,
    ModelTaskRunner taskRunner,
    InstanceIdentity instance,
    IOptions<EvaluationOptions> options,
    ILogger<PipelineEvaluator> logger)
{
    /// <summary>Photos written per transaction: a crash loses at most this many photos' work.</summary>
    private const int WriteEvery = 16;

    /// <summary>When every one of this many first photos fails, the pipeline is broken, not the photos: the run fails.</summary>
    private const int FailFastPhotos = 20;

    internal async Task ExecuteAsync(int runId, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        int versionId, datasetId, done;
        List<(long Id, string Sha, string Truth)> remaining;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var run = await db.EvaluationRuns.SingleAsync(r => r.Id == runId, cancellationToken);
            (versionId, datasetId) = (run.ModelVersionId, run.DatasetId);
            done = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId, cancellationToken);
            remaining = (await db.Samples.Where(s => s.DatasetId == datasetId && !db.Predictions.Any(p => p.EvaluationRunId == runId && p.SampleId == s.Id))
                .OrderBy(s => s.Ordinal).Select(s => new { s.Id, s.ImageSha256, s.GroundTruth }).ToListAsync(cancellationToken))
                .Select(s => (s.Id, s.ImageSha256, s.GroundTruth)).ToList();
            run.Status = RunStatus.Running;
            run.StartedAt ??= DateTimeOffset.UtcNow;
            run.CompletedSamples = done;
            run.TotalSamples = done + remaining.Count;
            run.Error = null;
            await db.SaveChangesAsync(cancellationToken);
        }

        var pipeline = await pipelines.ResolveAsync(versionId, registry.SpecFor, cancellationToken);
        var reader = new CardReader(taskRunner);
        var total = done + remaining.Count;
        progress?.Report(new EvaluationProgress(runId, RunStatus.Running, done, total, 0));
        var started = Stopwatch.GetTimestamp();
        var pending = new List<Prediction>(WriteEvery);
        var (answered, failed) = (0, 0);
        string? firstError = null;
        foreach (var sample in remaining)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var prediction = await ReadAsync(reader, pipeline, runId, sample, settings, cancellationToken);
            if (prediction.Error is null)
            {
                answered++;
            }
            else
            {
                failed++;
                firstError ??= prediction.Error;
                if (answered == 0 && done == 0 && failed >= Math.Min(FailFastPhotos, remaining.Count))
                {
                    throw new EvaluationException($"The pipeline failed on each of the first {failed} photos: {firstError}");
                }
            }

            pending.Add(prediction);
            if (pending.Count == WriteEvery)
            {
                done += await WriteAsync(runId, pending, cancellationToken);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                progress?.Report(new EvaluationProgress(runId, RunStatus.Running, done, total, seconds > 0 ? (answered + failed) / seconds : 0));
            }
        }

        done += await WriteAsync(runId, pending, cancellationToken);
        var rate = Stopwatch.GetElapsedTime(started).TotalSeconds is > 0 and var elapsed ? (answered + failed) / elapsed : 0;
        await CompleteAsync(runId, total, rate, settings, progress, cancellationToken);
    }

    private async Task<Prediction> ReadAsync(
        CardReader reader, ResolvedPipeline pipeline, int runId, (long Id, string Sha, string Truth) sample, EvaluationOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            var truth = CardPhotoJson.Parse(sample.Truth);
            var bytes = await File.ReadAllBytesAsync(store.PathOf(sample.Sha), cancellationToken);
            var decodeStarted = Stopwatch.GetTimestamp();
            var photo = ImageDecoder.Decode(bytes, settings.MaxImagePixels);
            var decodeMs = Stopwatch.GetElapsedTime(decodeStarted).TotalMilliseconds;
            var reading = await reader.ReadAsync(pipeline.Detector, pipeline.Recogniser, photo, cancellationToken, PipelineMetrics.MaxRegions);

            // The recogniser alone on the true lines, given the margin the detector gives its boxes (not timed: not the pipeline's work).
            var unclip = pipeline.Detector.Card.Detection!.UnclipRatio;
            async Task<string?> Alone(string role) => truth.Lines.FirstOrDefault(l => l.Role == role) is { } line
                ? await reader.ReadLineAsync(pipeline.Recogniser, photo, TextDetection.Unclip(line.Quad.Points, unclip), cancellationToken)
                : null;
            var aloneNumber = truth.Number.Length > 0 ? await Alone("number") : null;
            var aloneExpiry = truth.Expiry.Length > 0 ? await Alone("expiry") : null;

            var regions = reading.Regions();
            var times = new StageMilliseconds(decodeMs, reading.Times.DetectMs, reading.Times.CropMs, reading.Times.RecogniseMs, reading.Times.ParseMs);
            var output = new CardReadOutput(reading.Fields.Number, reading.Fields.NumberPassesLuhn, reading.Fields.Expiry, regions,
                reading.Detection.Boxes.Count, times, aloneNumber, aloneExpiry, reading.Fields.NumberRead, reading.Fields.ExpiryRead);
            return new Prediction
            {
                EvaluationRunId = runId,
                SampleId = sample.Id,
                Output = output.Summary,
                DetailJson = output.ToJson(),
                PreprocessMs = decodeMs,
                ComputeMs = times.DetectMs + times.RectifyMs + times.RecogniseMs,
                PostprocessMs = times.ParseMs,
                BatchSize = 1,
                EditDistance = EditDistance.Levenshtein(CardFieldMetrics.Digits(truth.Number), reading.Fields.Number) + EditDistance.Levenshtein(truth.Expiry, reading.Fields.Expiry),
            };
        }
        catch (Exception e) when (e is InvalidImageException or OnnxRuntimeException or InvalidModelCardException or IOException or ArgumentException
            or InvalidOperationException or FormatException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            // One bad photo is a recorded error, not a failed run.
            return new Prediction
            {
                EvaluationRunId = runId,
                SampleId = sample.Id,
                Error = e is FileNotFoundException or DirectoryNotFoundException ? "The sample's image is missing from the store." : e.Message,
            };
        }
    }

    private async Task<int> WriteAsync(int runId, List<Prediction> predictions, CancellationToken cancellationToken)
    {
        if (predictions.Count == 0)
        {
            return 0;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.EvaluationRuns.SingleAsync(r => r.Id == runId, cancellationToken);
        if (!EvaluationLeases.Holds(run, instance))
        {
            throw new LeaseLostException(runId);
        }

        db.Predictions.AddRange(predictions);
        run.CompletedSamples += predictions.Count;
        await db.SaveChangesAsync(cancellationToken);
        var written = predictions.Count;
        predictions.Clear();
        return written;
    }

    private async Task CompleteAsync(int runId, int total, double rate, EvaluationOptions settings, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Predictions.Where(p => p.EvaluationRunId == runId)
            .Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new { s.Ordinal, s.GroundTruth, p.DetailJson, p.Error })
            .OrderBy(x => x.Ordinal).ToListAsync(cancellationToken);
        var photos = rows.Select(r => new PipelinePhoto(CardPhotoJson.Parse(r.GroundTruth), r.Error is null && r.DetailJson is not null ? CardReadOutput.Parse(r.DetailJson) : null)).ToList();
        var bootstrap = new BootstrapSettings(settings.BootstrapResamples);
        var rule = await db.EvaluationRuns.Where(r => r.Id == runId).Select(r => r.ModelVersion!.Module!.TextComparison).SingleAsync(cancellationToken);
        var metrics = Metrics(photos, rate, bootstrap, rule);

        var run = await db.EvaluationRuns.SingleAsync(r => r.Id == runId, cancellationToken);
        if (!EvaluationLeases.Holds(run, instance))
        {
            throw new LeaseLostException(runId);
        }

        run.Status = RunStatus.Completed;
        (run.LeaseOwner, run.LeaseExpiresAt) = (null, null);
        run.CompletedSamples = rows.Count;
        run.TotalSamples = Math.Max(total, rows.Count);
        run.MetricsJson = JsonSerializer.Serialize(metrics, RunMetricsCalculator.Json);
        run.Provider ??= "CPU";
        run.CompletedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(CancellationToken.None);
        LogCompleted(runId, rows.Count, metrics.Headline.Value);
        progress?.Report(new EvaluationProgress(runId, RunStatus.Completed, rows.Count, run.TotalSamples, rate));
    }

    /// <summary>A pipeline run's metrics from its photos (in dataset order), the rate they were read at, and its module's comparison rule.</summary>
    public static RunMetrics Metrics(IReadOnlyList<PipelinePhoto> photos, double photosPerSecond, BootstrapSettings bootstrap, TextComparison rule)
    {
        ArgumentNullException.ThrowIfNull(photos);
        var report = PipelineMetrics.Compute(photos, bootstrap, rule);
        var outputs = photos.Where(p => p.Output is not null).Select(p => p.Output!).ToList();
        var timed = PipelineMetrics.TimedInputs(outputs);
        var processing = ProcessingTime.Of(timed, timed.Sum(t => t.TotalMs) / 1000, bootstrap);
        var totals = timed.Select(t => t.TotalMs).ToList();
        LatencySummary Of(Func<TimedInput, double> stage) => LatencyStats.Summarize(timed.Select(stage).ToList());
        return new RunMetrics(
            TaskType.Pipeline.ToString(), photos.Count, photos.Count - outputs.Count, report.Fields.CardsReadRight,
            LatencyStats.Summarize(totals), new StageLatency(LatencyStats.Summarize([]), Of(t => t.DecodeMs), Of(t => t.ComputeMs), Of(t => t.PostprocessMs)),
            new RunThroughput(processing?.ItemsPerSecond ?? 0, photosPerSecond, outputs.Count == 0 ? 0 : 1, outputs.Count == 0 ? 0 : 1),
            LatencyStats.Histogram(totals), null, null, processing, null,
            report.Detection, report.Fields, report.Blame, report.Stages);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline run {RunId} completed: {Count} photos, cards read right {CardsRight:P1}")]
    private partial void LogCompleted(int runId, int count, double cardsRight);
}
