using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Registry;
using QualityHub.Inference;
using QualityHub.Inference.Engine;

namespace QualityHub.Cli.Commands;

/// <summary>
/// How close an offline evaluation comes to the engine's own throughput on the same model, in one process and in
/// alternating rounds: the reference is the model's session alone (the engine's session settings, batches of the
/// evaluation's batch size, random input, outputs allocated once — what <c>bench</c> measures), the evaluation is a
/// whole stored run end to end (reading and decoding the samples, inference, the database writes, batch-1 timing
/// and the metrics). Each round's evaluation is a real run and stays in the database. Decoded images are kept between
/// runs, as in the web app (<c>--images cached</c>), or dropped before each run (<c>--images cold</c>), for a dataset
/// evaluated for the first time.
/// </summary>
internal sealed class BenchEvaluationCommand : ICliCommand
{
    public string Name => "bench-evaluation";

    public string Summary => "Measure an evaluation's end-to-end throughput against the engine's own on the same model (ratio per round).";

    public string Usage => "--model ID|MODULE/VERSION --dataset ID|NAME [--rounds 3] [--seconds 3] [--images cached|cold]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "model", "dataset", "rounds", "seconds", "images" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var services = context.Services;
        var rounds = (int)context.Args.GetPositive("rounds", 3);
        var seconds = context.Args.GetPositive("seconds", 3);
        var coldImages = context.Args.Get("images") switch
        {
            null or "cached" => false,
            "cold" => true,
            var other => throw new UsageException($"--images is 'cached' or 'cold', not '{other}'."),
        };
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        int versionId, datasetId;
        ModelVersion version;
        try
        {
            versionId = await EvaluateCommand.FindVersionAsync(services, context.Args.Get("model") ?? throw new UsageException("--model is required."), cancellationToken);
            datasetId = await EvaluateCommand.FindDatasetAsync(services, context.Args.Get("dataset") ?? throw new UsageException("--dataset is required."), cancellationToken);
            await using var db = await services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);
            version = await db.ModelVersions.Include(v => v.Module).SingleOrDefaultAsync(v => v.Id == versionId, cancellationToken)
                ?? throw new EvaluationException($"There is no model version {versionId}.", 404);
        }
        catch (EvaluationException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return 1;
        }

        var engineOptions = services.GetRequiredService<IOptions<InferenceOptions>>().Value;
        var evaluationOptions = services.GetRequiredService<IOptions<EvaluationOptions>>().Value;
        var spec = services.GetRequiredService<ModelRegistry>().SpecFor(version, version.Module!.Name);
        using var session = OnnxSession.Load(spec.Path, engineOptions.ToSessionSettings());
        var threads = engineOptions.IntraOpThreads == 0 ? "ONNX Runtime's choice" : engineOptions.IntraOpThreads.ToString(CultureInfo.InvariantCulture);
        await context.Out.WriteLineAsync(
            $"{spec.DisplayName} on {session.Provider}, intra-op threads: {threads}, batch {evaluationOptions.BatchSize}, {evaluationOptions.InFlight / evaluationOptions.BatchSize} batch(es) in flight; " +
            $"{rounds} round(s): engine alone for {seconds:0.#} s, then one evaluation run; " +
            (coldImages ? "images decoded anew for each run" : "decoded images kept between runs"));
        await context.Out.WriteLineAsync($"{"round",5} {"engine items/s",15} {"run",6} {"items",7} {"run s",7} {"run items/s",12} {"ratio",6} {"prediction phase items/s",25}");

        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var engine = BenchCommand.MeasureOurs(session, evaluationOptions.BatchSize, seconds, out var skipped);
            if (engine is null)
            {
                await context.Error.WriteLineAsync($"The engine cannot be measured alone on this model: {skipped}.");
                return 1;
            }

            int runId;
            try
            {
                runId = (await services.GetRequiredService<EvaluationService>().CreateAsync(versionId, datasetId, cancellationToken)).Id;
            }
            catch (EvaluationException e)
            {
                await context.Error.WriteLineAsync(e.Message);
                return 1;
            }

            if (coldImages)
            {
                services.GetRequiredService<DecodedImageCache>().Clear();
            }

            var started = Stopwatch.GetTimestamp();
            await services.GetRequiredService<EvaluationRunner>().RunAsync(runId, null, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;

            await using var db = await services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);
            var run = await db.EvaluationRuns.AsNoTracking().SingleAsync(r => r.Id == runId, cancellationToken);
            if (run.Status != RunStatus.Completed)
            {
                await context.Error.WriteLineAsync($"Run {runId} {run.Status.ToString().ToLowerInvariant()}: {run.Error}");
                return 1;
            }

            var rate = run.CompletedSamples / elapsed;
            var ratio = rate / engine.ItemsPerSecond;
            ratios.Add(ratio);
            var phase = RunMetricsCalculator.Parse(run.MetricsJson)!.Throughput.BatchedItemsPerSecond;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{round,5} {engine.ItemsPerSecond,15:N0} {runId,6} {run.CompletedSamples,7:N0} {elapsed,7:F2} {rate,12:N0} {ratio,6:F2} {phase,25:N0}"));
        }

        var sorted = ratios.Order().ToList();
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"evaluation ÷ engine, end to end: median {sorted[sorted.Count / 2]:F2} (first round {ratios[0]:F2}, min {sorted[0]:F2}, max {sorted[^1]:F2})"));
        return 0;
    }
}
