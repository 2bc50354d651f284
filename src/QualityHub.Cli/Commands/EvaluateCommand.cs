using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Cli.Commands;

/// <summary>
/// Evaluates a model version on a dataset in this process, with progress, and prints the headline metrics.
/// The run is stored like one started from the web page; Ctrl-C cancels it (its predictions so far are kept).
/// </summary>
internal sealed class EvaluateCommand : ICliCommand
{
    public string Name => "evaluate";

    public string Summary => "Evaluate a model version on a dataset (stored as an evaluation run) and print its metrics.";

    public string Usage => "--model ID|MODULE/VERSION --dataset ID|NAME [--resume RUN_ID]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "model", "dataset", "resume" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var services = context.Services;
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        int runId;
        try
        {
            runId = context.Args.Get("resume") is { } resume
                ? int.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new UsageException($"--resume takes a run id, not '{resume}'.")
                : (await services.GetRequiredService<EvaluationService>().CreateAsync(
                    await FindVersionAsync(services, context.Args.Get("model") ?? throw new UsageException("--model is required."), cancellationToken),
                    await FindDatasetAsync(services, context.Args.Get("dataset") ?? throw new UsageException("--dataset is required."), cancellationToken),
                    cancellationToken)).Id;
        }
        catch (EvaluationException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return 1;
        }

        await context.Out.WriteLineAsync($"evaluation run {runId}");
        var started = Stopwatch.GetTimestamp();
        var progress = new ConsoleProgress(context.Error);
        try
        {
            await services.GetRequiredService<EvaluationRunner>().RunAsync(runId, progress, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await services.GetRequiredService<EvaluationService>().MarkCancelledAsync(runId);
            await context.Error.WriteLineAsync($"Cancelled; run {runId}'s predictions so far are kept (qualityhub evaluate --resume {runId} continues it).");
            return 130;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await using var db = await services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(CancellationToken.None);
        var run = await db.EvaluationRuns.SingleAsync(r => r.Id == runId, CancellationToken.None);
        if (run.Status != RunStatus.Completed)
        {
            await context.Error.WriteLineAsync($"Run {runId} {run.Status.ToString().ToLowerInvariant()}: {run.Error}");
            return 1;
        }

        var metrics = RunMetricsCalculator.Parse(run.MetricsJson)!;
        var headline = TaskTypes.HeadlineName(Enum.Parse<TaskType>(metrics.Task));
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{run.CompletedSamples} predictions ({metrics.Errors} errors) in {seconds:F1} s on {run.Provider}: {run.CompletedSamples / seconds:F0} items/s end to end"));
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{headline} {metrics.Headline.Value:P2} (95 % CI {metrics.Headline.Low:P2}–{metrics.Headline.High:P2})"));
        if (metrics.Text is { } text)
        {
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"character error rate {text.CharacterErrorRate.Value:P2}"));
        }

        var processing = metrics.ProcessingTime is { } p
            ? string.Create(CultureInfo.InvariantCulture,
                $"processing time (one input at a time, {p.Samples} inputs) p50 {p.P50Ms:F3} ms, p95 {p.P95Ms.Value:F3} ms (95 % CI {p.P95Ms.Low:F3}–{p.P95Ms.High:F3}), p99 {p.P99Ms:F3} ms")
            : "processing time not measured";
        await context.Out.WriteLineAsync(processing + string.Create(CultureInfo.InvariantCulture,
            $"; throughput batched {metrics.Throughput.BatchedItemsPerSecond:F0} items/s (mean batch {metrics.Throughput.MeanBatchSize:F1}), batch 1 {metrics.Throughput.BatchOneItemsPerSecond:F0} items/s"));
        return 0;
    }

    internal static async Task<int> FindVersionAsync(IServiceProvider services, string model, CancellationToken cancellationToken)
    {
        if (int.TryParse(model, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        var slash = model.LastIndexOf('/');
        if (slash <= 0)
        {
            throw new UsageException($"--model is a version id or MODULE/VERSION, not '{model}'.");
        }

        var (module, version) = (model[..slash], model[(slash + 1)..]);
        await using var db = await services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);
        return await db.ModelVersions.Where(v => v.Module!.Name == module && v.Name == version).Select(v => (int?)v.Id).SingleOrDefaultAsync(cancellationToken)
            ?? throw new EvaluationException($"There is no model version {model}.", 404);
    }

    internal static async Task<int> FindDatasetAsync(IServiceProvider services, string dataset, CancellationToken cancellationToken)
    {
        if (int.TryParse(dataset, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        await using var db = await services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);
        return await db.Datasets.Where(d => d.Name == dataset).Select(d => (int?)d.Id).SingleOrDefaultAsync(cancellationToken)
            ?? throw new EvaluationException($"There is no dataset '{dataset}'.", 404);
    }

    /// <summary>One line per second: done of total, rate, ETA.</summary>
    private sealed class ConsoleProgress(TextWriter error) : IProgress<EvaluationProgress>
    {
        private long last;

        public void Report(EvaluationProgress value)
        {
            var now = Stopwatch.GetTimestamp();
            if (value.Status == RunStatus.Running && value.Done < value.Total && Stopwatch.GetElapsedTime(Interlocked.Read(ref last), now).TotalSeconds < 1)
            {
                return;
            }

            Interlocked.Exchange(ref last, now);
            var eta = value.EtaSeconds is { } s ? $", ETA {TimeSpan.FromSeconds(Math.Ceiling(s)):m\\:ss}" : "";
            lock (error)
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {value.Done}/{value.Total} ({value.Fraction:P0}), {value.ItemsPerSecond:F0} items/s{eta}"));
            }
        }
    }
}
