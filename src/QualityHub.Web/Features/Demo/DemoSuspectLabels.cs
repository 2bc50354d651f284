using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Registry;

namespace QualityHub.Web.Features.Demo;

/// <summary>
/// Once the demo's evaluations are done, flags the Fashion-MNIST test samples whose label looks wrong: every candidate
/// model gives the same other label. Fashion-MNIST is known to carry such label noise; these flags are what a
/// modeler would mark in the gallery, and what a data curator turns into a labeling job.
/// </summary>
public sealed partial class DemoSuspectLabels(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    DemoContentLoader demo,
    IOptions<RegistryOptions> options,
    TimeProvider clock,
    ILogger<DemoSuspectLabels> logger) : BackgroundService
{
    public const string FlaggedBy = "demo";

    /// <summary>At most this many samples are flagged, the most confident agreements first.</summary>
    public const int MaxFlags = 24;

    private static readonly TimeSpan RunWait = TimeSpan.FromMinutes(30);

    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Done: flagged, or found nothing to do.</summary>
    public Task Completion => completion.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await demo.Completion.WaitAsync(stoppingToken);
            if (demo.State == "loaded" && options.Value.EvaluateDemoModels)
            {
                LogFlagged(await FlagAsync(stoppingToken));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LogFailed(e);
        }
        finally
        {
            completion.TrySetResult();
        }
    }

    /// <summary>Flags the suspect samples of the demo classifier's test set; the number flagged.</summary>
    public async Task<int> FlagAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Datasets.AsNoTracking()
            .Where(d => d.Module!.Name == DemoContentLoader.FashionModule && d.Split == DatasetSplit.Test).OrderBy(d => d.Id).FirstOrDefaultAsync(cancellationToken);
        if (dataset is null)
        {
            return 0;
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < RunWait
               && await db.EvaluationRuns.AnyAsync(r => r.DatasetId == dataset.Id && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running), cancellationToken))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
        }

        var runs = await db.EvaluationRuns.Where(r => r.DatasetId == dataset.Id && r.Status == RunStatus.Completed).Select(r => r.Id).ToListAsync(cancellationToken);
        if (runs.Count < 2 || await db.GroundTruthFlags.AnyAsync(f => db.Samples.Any(s => s.Id == f.SampleId && s.DatasetId == dataset.Id), cancellationToken))
        {
            return 0;
        }

        var predictions = await db.Predictions.AsNoTracking().Where(p => runs.Contains(p.EvaluationRunId) && p.Error == null)
            .Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new { p.SampleId, p.Output, p.Confidence, s.GroundTruth })
            .ToListAsync(cancellationToken);
        var suspects = predictions.GroupBy(p => p.SampleId)
            .Where(g => g.Count() == runs.Count && g.Select(p => p.Output).Distinct().Count() == 1 && g.First().Output is { } said && said != g.First().GroundTruth)
            .Select(g => new { SampleId = g.Key, Label = g.First().Output!, Confidence = g.Average(p => p.Confidence ?? 0) })
            .OrderByDescending(s => s.Confidence).ThenBy(s => s.SampleId).Take(MaxFlags).ToList();
        var now = clock.GetUtcNow();
        db.GroundTruthFlags.AddRange(suspects.Select(s => new GroundTruthFlag
        {
            SampleId = s.SampleId,
            SuggestedLabel = s.Label,
            Reason = $"Demo: all {runs.Count} candidate models say \"{s.Label}\" (mean confidence {s.Confidence:0.00}).",
            FlaggedBy = FlaggedBy,
            FlaggedAt = now,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return suspects.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo: flagged {Count} Fashion-MNIST test samples whose label every candidate model disputes")]
    private partial void LogFlagged(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo: flagging suspect labels failed")]
    private partial void LogFailed(Exception e);
}
