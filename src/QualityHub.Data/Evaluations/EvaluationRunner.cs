using System.Buffers;
using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Evaluations;

/// <summary>
/// Executes one evaluation run: every sample of the dataset that has no prediction yet goes through the model
/// (many in flight, so the engine batches), predictions are bulk-written as they arrive, then the processing time
/// (one input at a time) and a session's memory are measured while the metrics are computed and the last predictions
/// written, and the metrics are stored. A run that stopped half-way (restart, crash) continues from what was written;
/// cancellation leaves the written predictions and throws.
/// </summary>
public sealed partial class EvaluationRunner(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    ModelRegistry registry,
    ContentStore store,
    ModelTaskRunner taskRunner,
    RunMetricsCalculator metricsCalculator,
    DecodedImageCache imageCache,
    PipelineEvaluator pipelineEvaluator,
    InstanceIdentity instance,
    IOptions<EvaluationOptions> options,
    ILogger<EvaluationRunner> logger)
{
    // A stored sample's encoded bytes, and its decoded image (delegates made once: they are called for every sample).
    private readonly Func<string, byte[]> readStored = sha => ReadStored(store, sha);
    private readonly Func<string, Image> decodeStored = sha => ImageDecoder.Decode(ReadStored(store, sha), options.Value.MaxImagePixels);

    // Small files: a synchronous read is several times cheaper than the thread-pool round trip of an async one.
    private static byte[] ReadStored(ContentStore store, string sha256) => File.ReadAllBytes(store.PathOf(sha256));

    /// <summary>When every one of this many first samples fails, the model is broken, not the samples: the run fails.</summary>
    private const int FailFastSamples = 50;

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
        catch (LeaseLostException)
        {
            // Another instance holds the run now and resumes it from what is stored: its state is not this one's to write.
            LogTakenOver(runId);
        }
        catch (Exception e) when (DatabaseErrors.IsUnreachable(e))
        {
            // Not the run's fault: it stays running with what is stored, its lease lapses, and once the database answers
            // again this instance or another claims it and resumes it from the stored predictions.
            LogPaused(runId, e.Message);
        }
        catch (ExecutorUnavailableException e)
        {
            // No worker answers: as with the database gone, the run keeps what is stored and resumes once it is claimed
            // again after its lease lapses (on one instance, by this one a moment later), on whichever worker answers then.
            LogPausedForWorkers(runId, e.Message);
        }
        catch (Exception e) when (e is DbException or DbUpdateException && DatabaseErrors.IsFull(e))
        {
            await FailAsync(runId, progress,
                "The database or its disk is full (or Storage:MaxDatabaseMb is reached). Predictions written before are kept; free space and evaluate again.", e);
        }
        catch (EvaluationException e)
        {
            await FailAsync(runId, progress, e.Message, null);
        }
        catch (Exception e) when (e is DbException or DbUpdateException or IOException or OnnxRuntimeException or InvalidModelCardException or ModelQuarantinedException)
        {
            await FailAsync(runId, progress, e.Message, e);
        }
    }

    private async Task ExecuteAsync(int runId, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        if (await IsPipelineRunAsync(runId, cancellationToken))
        {
            await pipelineEvaluator.ExecuteAsync(runId, progress, cancellationToken);
            return;
        }

        var settings = options.Value;
        var planStarted = Stopwatch.GetTimestamp();
        var plan = await PlanAsync(runId, cancellationToken);
        progress?.Report(new EvaluationProgress(runId, RunStatus.Running, plan.Done, plan.Total, 0));

        var started = Stopwatch.GetTimestamp();
        var cpuStarted = Environment.CpuUsage.TotalTime;
        // A run made in one go keeps its predictions for the metrics; a resumed one reads them all back.
        var scored = plan.Done == 0 ? new ScoredPrediction[plan.RemainingCount] : null;
        var predicted = await PredictAllAsync(plan, settings, progress, scored, cancellationToken);
        if (plan.Read.Count != plan.RemainingCount)
        {
            // Samples were added or removed since the count: the metrics come from what is stored.
            scored = null;
        }

        var predictionCpu = Environment.CpuUsage.TotalTime - cpuStarted;
        var madeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var probeStarted = Stopwatch.GetTimestamp();
        Task<RunMetrics>? quality = null;
        if (scored is null)
        {
            // What is timed and measured is read back from the stored predictions: all of them first.
            await predicted.Written;
        }
        else
        {
            // The metrics of the predictions held here are computed on another core while the model is timed alone, one
            // input at a time on its own thread, and while the last predictions are written.
            var held = scored;
            quality = Task.Run(() => metricsCalculator.ComputeMetricsAsync(runId, held, cancellationToken), cancellationToken);
        }

        var measuring = TimeAndMeasureAsync(plan, settings, scored, cancellationToken);
        // All three finish before the run goes on, so that no failure goes unseen; the writes' failure is the one reported.
        await Task.WhenAll(new Task?[] { predicted.Written, measuring, quality }.OfType<Task>());
        var measuringMs = Stopwatch.GetElapsedTime(probeStarted).TotalMilliseconds;

        // The batched rate counts the writes: from the first prediction to the last one stored.
        var elapsed = Stopwatch.GetElapsedTime(started, predicted.Written.Result).TotalSeconds;
        var runRate = plan.Read.Count > 0 && elapsed > 0 ? plan.Read.Count / elapsed : 0;
        var (processing, memory, timingMs) = measuring.Result;
        var throughput = new ThroughputFigures(runRate, processing, memory);
        var metricsStarted = Stopwatch.GetTimestamp();
        var metrics = RunMetricsCalculator.Serialize(quality is null
            ? await metricsCalculator.ComputeMetricsAsync(runId, throughput, cancellationToken)
            : RunMetricsCalculator.WithThroughput(quality.Result, throughput));
        LogPhases(runId, Stopwatch.GetElapsedTime(planStarted, started).TotalMilliseconds, madeMs, elapsed * 1000, predictionCpu.TotalMilliseconds,
            timingMs, measuringMs, Stopwatch.GetElapsedTime(metricsStarted).TotalMilliseconds, Environment.ProcessorCount);

        await using var db = await contextFactory.CreateDbContextAsync(CancellationToken.None);
        var run = await db.EvaluationRuns.SingleAsync(r => r.Id == runId, CancellationToken.None);
        if (!EvaluationLeases.Holds(run, instance))
        {
            throw new LeaseLostException(runId);
        }

        run.Status = RunStatus.Completed;
        (run.LeaseOwner, run.LeaseExpiresAt) = (null, null);
        run.CompletedSamples = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId, CancellationToken.None);
        run.TotalSamples = Math.Max(run.TotalSamples, run.CompletedSamples);
        run.MetricsJson = metrics;
        run.Provider = predicted.Provider ?? run.Provider;
        if (!plan.RanOn.IsEmpty)
        {
            // A resumed run adds the workers of this part to those of the parts before.
            var workers = (run.RanOn?.Split("; ") ?? []).Concat(plan.RanOn.OrderBy(w => w.Value).Select(w => w.Key)).Distinct(StringComparer.Ordinal);
            run.RanOn = Truncate(string.Join("; ", workers), 1000);
        }
        run.CompletedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(CancellationToken.None);
        LogCompleted(runId, run.CompletedSamples, runRate);
        progress?.Report(new EvaluationProgress(runId, RunStatus.Completed, run.CompletedSamples, plan.Total, runRate));
    }

    private async Task<bool> IsPipelineRunAsync(int runId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationRuns.AnyAsync(r => r.Id == runId && r.ModelVersion!.Module!.TaskType == TaskType.Pipeline, cancellationToken);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private sealed record SampleWork(int Position, long Id, int Ordinal, string ImageSha256, string Truth, List<string> Tags);

    /// <summary>
    /// What a run has to do. The samples are read while the first batches already run (<see cref="ReadRemainingAsync"/>),
    /// so only their count is known at the start; <see cref="Read"/> holds them, in order, once they have been read.
    /// </summary>
    private sealed record RunPlan(int RunId, int DatasetId, ModelSpec Spec, ModelCard Card, int Total, int Done, int RemainingCount)
    {
        public List<SampleWork> Read { get; } = new(RemainingCount);

        /// <summary>The workers that answered (with their devices), in the order they first did; none when the model ran in process.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, long> RanOn { get; } = new(StringComparer.Ordinal);

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

        var done = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId, cancellationToken);
        var remaining = await RemainingSamples(db, run.DatasetId, runId, done > 0).CountAsync(cancellationToken);

        // Progress is counted from what is stored, so a run resumed after a crash reports the truth.
        run.Status = RunStatus.Running;
        run.StartedAt ??= DateTimeOffset.UtcNow;
        run.CompletedSamples = done;
        run.TotalSamples = done + remaining;
        run.Error = null;
        await db.SaveChangesAsync(cancellationToken);
        if (done > 0)
        {
            LogResuming(runId, done, run.TotalSamples);
        }

        return new RunPlan(runId, run.DatasetId, registry.SpecFor(version, version.Module!.Name), card, run.TotalSamples, done, remaining);
    }

    private static IQueryable<Sample> RemainingSamples(QualityHubDbContext db, int datasetId, int runId, bool resuming)
    {
        var samples = db.Samples.Where(s => s.DatasetId == datasetId);
        return resuming ? samples.Where(s => !db.Predictions.Any(p => p.EvaluationRunId == runId && p.SampleId == s.Id)) : samples;
    }

    /// <summary>
    /// Reads the samples still to predict, in order and in batches, into <paramref name="batches"/> (each sample also
    /// into <see cref="RunPlan.Read"/>), and completes it, with the error if reading fails. Reading is quicker than
    /// predicting, so the query's read transaction ends early in the run instead of holding back checkpoints.
    /// </summary>
    private async Task ReadRemainingAsync(RunPlan plan, int batchSize, ChannelWriter<SampleWork[]> batches, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var rows = RemainingSamples(db, plan.DatasetId, plan.RunId, plan.Done > 0)
                .OrderBy(s => s.Ordinal)
                .Select(s => new { s.Id, s.Ordinal, s.ImageSha256, s.GroundTruth, s.Tags })
                .AsAsyncEnumerable();
            var batch = new List<SampleWork>(batchSize);
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                var sample = new SampleWork(plan.Read.Count, row.Id, row.Ordinal, row.ImageSha256, row.GroundTruth, row.Tags);
                plan.Read.Add(sample);
                batch.Add(sample);
                if (batch.Count == batchSize)
                {
                    batches.TryWrite([.. batch]);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                batches.TryWrite([.. batch]);
            }

            batches.TryComplete();
        }
        catch (Exception e)
        {
            batches.TryComplete(e);
            throw;
        }
    }

    /// <summary>
    /// The model's answers, all made: <see cref="Written"/> completes, with the moment it did, once the last of them is
    /// stored (the writes may still be going when the predictions are done) and fails as the writes did.
    /// </summary>
    private sealed record PredictionPhase(string? Provider, Task<long> Written);

    private async Task<PredictionPhase> PredictAllAsync(
        RunPlan plan, EvaluationOptions settings, IProgress<EvaluationProgress>? progress, ScoredPrediction[]? scored, CancellationToken cancellationToken)
    {
        if (plan.RemainingCount == 0)
        {
            return new PredictionPhase(null, Task.FromResult(Stopwatch.GetTimestamp()));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<Prediction>(new BoundedChannelOptions(settings.WriteBatch * 2) { SingleReader = true });
        var state = new RunState(plan.RunId, plan.Total, plan.Done, progress);
        // A failed write stops the batches; once they are done (the writes may go on after), there is nothing to stop.
        void StopBatches()
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        var written = WrittenAsync(Task.Run(() => WriteAllAsync(plan.RunId, channel.Reader, settings.WriteBatch, StopBatches)));
        var predicted = false;

        string? provider = null;
        var batches = Channel.CreateUnbounded<SampleWork[]>(new UnboundedChannelOptions { SingleWriter = true });
        var reading = Task.Run(() => ReadRemainingAsync(plan, settings.BatchSize, batches.Writer, stop.Token));
        try
        {
            // Batches are formed here, not by the engine's queue: a batch's images are decoded straight into one tensor.
            // A few batches are in flight, so one is being decoded while another computes.
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.InFlight / settings.BatchSize), CancellationToken = stop.Token };
            await Parallel.ForEachAsync(batches.Reader.ReadAllAsync(stop.Token), parallel, async (chunk, token) =>
            {
                var predictions = await PredictBatchAsync(plan, chunk, token);
                for (var i = 0; i < chunk.Length; i++)
                {
                    var (prediction, ranOn, topK) = predictions[i];
                    if (scored is not null && chunk[i].Position < scored.Length)
                    {
                        scored[chunk[i].Position] = Score(chunk[i], prediction, topK);
                    }

                    if (prediction.Error is null)
                    {
                        provider ??= ranOn;
                    }

                    if (state.Count(prediction.Error, FailFastSamples))
                    {
                        await stop.CancelAsync();
                    }

                    await channel.Writer.WriteAsync(prediction, token);
                }
            });
            predicted = true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Stopped from inside: a write failed (the writer's exception surfaces below) or the model fails on everything.
        }
        finally
        {
            await stop.CancelAsync(); // a reader still going (the batches stopped early) has nothing left to feed
            channel.Writer.TryComplete();
            await ObservedAsync(reading);
            if (!predicted)
            {
                // Stopped early: what was predicted is stored (or the writes' failure surfaces) before the run goes on.
                await written;
            }
        }

        if (state.AllFailed is { } firstError)
        {
            throw new EvaluationException($"The model failed on each of the first {FailFastSamples} samples: {firstError}");
        }

        return new PredictionPhase(provider, written);
    }

    // The writes' end, and the moment of it.
    private static async Task<long> WrittenAsync(Task writing)
    {
        await writing;
        return Stopwatch.GetTimestamp();
    }

    // The reader's own failure reaches the batches through their channel; here it only must not go unobserved.
    private static async Task ObservedAsync(Task reading)
    {
        try
        {
            await reading;
        }
        catch (Exception)
        {
        }
    }

    private async Task WriteAllAsync(int runId, ChannelReader<Prediction> reader, int batchSize, Action stopBatches)
    {
        try
        {
            await using var writer = await PredictionWriter.OpenAsync(contextFactory, runId, instance.Id, CancellationToken.None);
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
            stopBatches();
            throw;
        }
    }

    private static ScoredPrediction Score(SampleWork sample, Prediction p, IReadOnlyList<string>? topK) =>
        new(sample.Id, sample.Ordinal, sample.Truth, sample.Tags, p.Output, p.Confidence, p.TopKJson,
            p.QueueMs, p.PreprocessMs, p.ComputeMs, p.PostprocessMs, p.BatchSize, p.Error)
        { TopKLabels = topK };

    private async Task<(Prediction Prediction, string Provider, IReadOnlyList<string>? TopK)[]> PredictBatchAsync(
        RunPlan plan, SampleWork[] samples, CancellationToken cancellationToken)
    {
        var predictions = new (Prediction Prediction, string Provider, IReadOnlyList<string>? TopK)[samples.Length];
        var images = new List<Image>(samples.Length);
        var slots = new List<int>(samples.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            try
            {
                images.Add(StoredImage(samples[i].ImageSha256));
                slots.Add(i);
            }
            catch (Exception e) when (IsSampleError(e, cancellationToken))
            {
                predictions[i] = Failed(plan, samples[i], e);
            }
        }

        IReadOnlyList<TaskResult>? results = null;
        try
        {
            results = await taskRunner.RunBatchAsync(plan.Spec, plan.Card, images, cancellationToken);
        }
        catch (Exception e) when (images.Count > 1 && IsSampleError(e, cancellationToken))
        {
            // One input the model rejects fails its whole batch: run the batch's items one by one to find which.
        }

        for (var k = 0; k < slots.Count; k++)
        {
            var sample = samples[slots[k]];
            try
            {
                var result = results?[k] ?? await taskRunner.RunAsync(plan.Spec, plan.Card, images[k], cancellationToken);
                if (result.RanOn is { } where)
                {
                    plan.RanOn.TryAdd(where, Stopwatch.GetTimestamp());
                }

                predictions[slots[k]] = (Succeeded(plan, sample, result), result.Provider.ToString(),
                    result.Task == ModelTask.ImageClassification ? result.TopK.Select(s => s.Label).ToList() : null);
            }
            catch (Exception e) when (IsSampleError(e, cancellationToken))
            {
                predictions[slots[k]] = Failed(plan, sample, e);
            }
        }

        return predictions;
    }

    private static bool IsSampleError(Exception e, CancellationToken cancellationToken) =>
        e is InvalidImageException or OnnxRuntimeException or InvalidModelCardException or IOException or ArgumentException or InvalidOperationException
        && !cancellationToken.IsCancellationRequested;

    // One bad sample is a recorded error, not a failed run.
    private static (Prediction, string, IReadOnlyList<string>?) Failed(RunPlan plan, SampleWork sample, Exception e) =>
        (new Prediction
        {
            EvaluationRunId = plan.RunId,
            SampleId = sample.Id,
            Error = e is FileNotFoundException or DirectoryNotFoundException ? "The sample's image is missing from the store." : e.Message,
        }, "", null);

    private static Prediction Succeeded(RunPlan plan, SampleWork sample, TaskResult result)
    {
        var prediction = new Prediction
        {
            EvaluationRunId = plan.RunId,
            SampleId = sample.Id,
            Output = result.Output,
            Confidence = result.Confidence,
            TopKJson = result.Task == ModelTask.ImageClassification ? StoredClassScore.ToJson(result.TopK) : null,
            QueueMs = result.Timing.QueueMs,
            PreprocessMs = result.Timing.PreprocessMs,
            ComputeMs = result.Timing.ComputeMs,
            PostprocessMs = result.Timing.PostprocessMs,
            BatchSize = result.Timing.BatchSize,
        };
        if (result.Task == ModelTask.TextRecognition)
        {
            prediction.EditDistance = Core.Metrics.EditDistance.Levenshtein(result.Output, sample.Truth);
        }
        else if (result.Probabilities is { } probabilities && plan.LabelIndex.TryGetValue(sample.Truth, out var truthIndex) && truthIndex < probabilities.Count)
        {
            // Clamped so that a probability rounded to zero gives a large, finite loss.
            prediction.Loss = -Math.Log(Math.Max(probabilities[truthIndex], 1e-12));
        }

        return prediction;
    }

    /// <summary>
    /// Processing time: the first <see cref="EvaluationOptions.ProcessingTimeSamples"/> samples the model answered, each
    /// timed from its encoded bytes to the final output: decoded, pre-processed, run through the model alone (a batch of
    /// one, where the model runs: in process or on the worker) and post-processed. The bytes are read from the store
    /// before the clock starts: a service receives them, it does not read them from disk. Inputs go to the model a few
    /// dozen at a time, each still run alone, so that no hand-over between threads or network round trip per input is
    /// counted as the model's time. Samples are known from <paramref name="scored"/> in a run made in one go, read back
    /// in a resumed one.
    /// </summary>
    private async Task<(ProcessingTime? Time, string? FirstSample)> TimeProcessingAsync(RunPlan plan, EvaluationOptions settings, ScoredPrediction[]? scored, CancellationToken cancellationToken)
    {
        var count = settings.ProcessingTimeSamples;
        List<string> samples;
        if (scored is not null)
        {
            samples = plan.Read.Where(s => scored[s.Position].Error is null).Take(count).Select(s => s.ImageSha256).ToList();
        }
        else
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            samples = await db.Samples
                .Where(s => db.Predictions.Any(p => p.EvaluationRunId == plan.RunId && p.SampleId == s.Id && p.Error == null))
                .OrderBy(s => s.Ordinal).Take(count)
                .Select(s => s.ImageSha256).ToListAsync(cancellationToken);
        }

        var timed = new List<TimedInput>(samples.Count);
        var next = 0;
        var chunk = ReadTimedChunk(samples, ref next, settings.MaxImagePixels, cancellationToken);
        while (chunk.Images.Count > 0)
        {
            var running = taskRunner.RunEachAsync(plan.Spec, plan.Card, chunk.Images, cancellationToken);
            // The next chunk is read and decoded here while the model runs this one on its own thread: a decode is
            // timed on this core, a model run on the other, so neither waits for the other and neither is counted twice.
            TimedChunk following;
            try
            {
                following = ReadTimedChunk(samples, ref next, settings.MaxImagePixels, cancellationToken);
            }
            catch
            {
                await ObservedAsync(running);
                throw;
            }

            var results = await running;
            for (var i = 0; i < results.Count; i++)
            {
                var t = results[i].Timing;
                var decodeMs = chunk.DecodeMs[i];
                timed.Add(new TimedInput(decodeMs, t.PreprocessMs, t.ComputeMs, t.PostprocessMs, decodeMs + t.PreprocessMs + t.ComputeMs + t.PostprocessMs));
            }

            chunk = following;
        }

        var time = ProcessingTime.Of(timed, timed.Sum(t => t.TotalMs) / 1000, new BootstrapSettings(settings.BootstrapResamples));
        return (time, samples.Count > 0 ? samples[0] : null);
    }

    // The processing time, then a session's memory (one of the timed inputs answered), and how long the timing took.
    private async Task<(ProcessingTime? Time, MeasuredMemory? Memory, double TimingMs)> TimeAndMeasureAsync(
        RunPlan plan, EvaluationOptions settings, ScoredPrediction[]? scored, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (time, firstSample) = await TimeProcessingAsync(plan, settings, scored, cancellationToken);
        var timingMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var memory = firstSample is null ? null : await MeasureMemoryAsync(plan, settings, firstSample, cancellationToken);
        return (time, memory, timingMs);
    }

    private sealed record TimedChunk(List<Image> Images, List<double> DecodeMs);

    /// <summary>
    /// The next chunk of samples to time from <paramref name="next"/> on, each read from the store and then decoded
    /// with the clock running: up to <see cref="TimedChunkItems"/> images, fewer when they are large, so that a chunk's
    /// pixels stay bounded. The bytes are read before the clock starts: a service receives them, it does not read them
    /// from disk. They are kept with the cached image (the next run of the dataset times the same inputs); small files
    /// are read synchronously, as an asynchronous read of a few hundred bytes costs more than the read.
    /// </summary>
    private TimedChunk ReadTimedChunk(List<string> samples, ref int next, long maxPixels, CancellationToken cancellationToken)
    {
        var chunk = new TimedChunk(new List<Image>(TimedChunkItems), new List<double>(TimedChunkItems));
        long pixels = 0;
        while (next < samples.Count && chunk.Images.Count < TimedChunkItems && pixels < TimedChunkPixels)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = imageCache.EncodedOf(samples[next++], readStored);
            var started = Stopwatch.GetTimestamp();
            var image = ImageDecoder.Decode(bytes, maxPixels);
            chunk.DecodeMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            chunk.Images.Add(image);
            pixels += (long)image.Width * image.Height;
        }

        return chunk;
    }

    // The most inputs handed to the model at once while timing processing, and the decoded pixels that end a chunk early.
    private const int TimedChunkItems = 50;
    private const long TimedChunkPixels = 16_000_000;

    // The session's memory, for capacity planning: loaded apart from the cache and answering one of the run's inputs.
    private async Task<MeasuredMemory> MeasureMemoryAsync(RunPlan plan, EvaluationOptions settings, string sampleSha256, CancellationToken cancellationToken)
    {
        var image = ImageDecoder.Decode(await File.ReadAllBytesAsync(store.PathOf(sampleSha256), cancellationToken), settings.MaxImagePixels);
        var m = await taskRunner.MeasureMemoryAsync(plan.Spec, plan.Card, image, cancellationToken);
        return new MeasuredMemory(m.Bytes, m.LowBytes, m.HighBytes, m.Loads, m.Source, m.Provider.ToString(), m.Device, m.DeviceBytes);
    }

    // A sample's image, decoded once per process while the cache has room; a cached image is held to today's size limit too.
    private Image StoredImage(string sha256)
    {
        var image = imageCache.GetOrDecode(sha256, decodeStored);
        var limit = options.Value.MaxImagePixels;
        return (long)image.Width * image.Height <= limit
            ? image
            : throw new InvalidImageException($"The image is {image.Width}x{image.Height} = {(long)image.Width * image.Height} pixels, more than the limit of {limit} pixels.");
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

            if (!EvaluationLeases.Holds(run, instance))
            {
                // A failure of an instance that lost the run (its writes refused) is not the run's failure.
                LogTakenOver(runId);
                return;
            }

            run.Status = RunStatus.Failed;
            (run.LeaseOwner, run.LeaseExpiresAt) = (null, null);
            run.Error = message;
            run.CompletedAt = DateTimeOffset.UtcNow;
            run.CompletedSamples = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId);
            await db.SaveChangesAsync();
            progress?.Report(new EvaluationProgress(runId, RunStatus.Failed, run.CompletedSamples, run.TotalSamples, 0, message));
        }
        catch (Exception e) when (e is DbException or DbUpdateException)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation run {RunId} phases: plan {PlanMs:F0} ms, predictions made {MadeMs:F0} ms (CPU {PredictCpuMs:F0} ms on {Cores} cores) and stored {StoredMs:F0} ms, processing time {TimingMs:F0} ms, then until memory, metrics and writes are all done {MeasuringMs:F0} ms, metrics after that {MetricsMs:F0} ms")]
    private partial void LogPhases(int runId, double planMs, double madeMs, double storedMs, double predictCpuMs, double timingMs, double measuringMs, double metricsMs, int cores);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {RunId} failed: {Reason}")]
    private partial void LogFailed(Exception? exception, int runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {RunId} was taken over by another instance (this one's lease expired); it stops here and the other resumes it")]
    private partial void LogTakenOver(int runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {RunId} pauses: the database does not answer ({Reason}); it resumes from its stored predictions once it does")]
    private partial void LogPaused(int runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {RunId} pauses: no worker can run its model now ({Reason}); it resumes from its stored predictions")]
    private partial void LogPausedForWorkers(int runId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluation run {RunId}: its failure could not be recorded")]
    private partial void LogStatusUnwritable(Exception exception, int runId);
}

/// <summary>A class and its probability as stored in a prediction's top-k.</summary>
public sealed record StoredClassScore(string Label, double P)
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? writer;

    /// <summary>
    /// The stored JSON of a top-k, <c>[{"label":"…","p":0.123456}, …]</c> (probabilities rounded to 6 places): written
    /// directly, as JsonSerializer would with web defaults, because a run writes one per prediction.
    /// </summary>
    public static string ToJson(IReadOnlyList<ClassScore> topK)
    {
        var bytes = buffer ??= new ArrayBufferWriter<byte>(256);
        bytes.ResetWrittenCount();
        // The writer is reused too (one per thread): a run writes one top-k per prediction.
        var json = writer ??= new Utf8JsonWriter(bytes);
        json.Reset(bytes);
        json.WriteStartArray();
        foreach (var score in topK)
        {
            json.WriteStartObject();
            json.WriteString(LabelName, score.Label);
            json.WriteNumber(PName, Math.Round((double)score.Probability, 6));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.Flush();
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    private static readonly JsonEncodedText LabelName = JsonEncodedText.Encode("label");
    private static readonly JsonEncodedText PName = JsonEncodedText.Encode("p");
}
