using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Evaluations;

/// <summary>Creates evaluation runs after checking the model can answer the dataset, and reads runs and predictions.</summary>
public sealed class EvaluationService(IDbContextFactory<QualityHubDbContext> contextFactory)
{
    /// <summary>Queues a run of <paramref name="modelVersionId"/> on <paramref name="datasetId"/>, or says why it cannot run.</summary>
    public async Task<EvaluationRun> CreateAsync(int modelVersionId, int datasetId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var version = await db.ModelVersions.Include(v => v.Module).SingleOrDefaultAsync(v => v.Id == modelVersionId, cancellationToken)
            ?? throw new EvaluationException($"There is no model version {modelVersionId}.", 404, "modelVersionId");
        var dataset = await db.Datasets.SingleOrDefaultAsync(d => d.Id == datasetId, cancellationToken)
            ?? throw new EvaluationException($"There is no dataset {datasetId}.", 404, "datasetId");
        var module = version.Module!;
        if (module.TaskType == TaskType.Pipeline)
        {
            await CheckPipelineAsync(db, version, cancellationToken);
        }
        else if (CardOf(version, "modelVersionId").Task == ModelTask.TextDetection)
        {
            // A detector's boxes are not a label or a text to score against the dataset's: it is judged within a pipeline.
            throw new EvaluationException(
                $"{module.Name}/{version.Name} is a text detector; a detector is evaluated as a pipeline's first stage, not alone against labels or texts.", 422, "modelVersionId");
        }

        if (dataset.TaskType != module.TaskType)
        {
            throw new EvaluationException(
                $"{module.Name}/{version.Name} does {module.TaskType} but dataset '{dataset.Name}' is for {dataset.TaskType}.", 422, "datasetId");
        }

        if (module.TaskType == TaskType.ImageClassification)
        {
            var card = CardOf(version, "modelVersionId");
            var unknown = dataset.Labels.Except(card.Labels, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new EvaluationException(
                    $"The labels of dataset '{dataset.Name}' do not match the model's: {Quote(unknown)} {(unknown.Count == 1 ? "is" : "are")} not among " +
                    $"{module.Name}/{version.Name}'s {card.Labels.Count} labels ({Quote(card.Labels)}).", 422, "datasetId");
            }
        }

        var total = await db.Samples.CountAsync(s => s.DatasetId == datasetId, cancellationToken);
        if (total == 0)
        {
            throw new EvaluationException($"Dataset '{dataset.Name}' has no samples.", 422, "datasetId");
        }

        var active = await db.EvaluationRuns
            .Where(r => r.ModelVersionId == modelVersionId && r.DatasetId == datasetId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .Select(r => (int?)r.Id).FirstOrDefaultAsync(cancellationToken);
        if (active is { } existing)
        {
            throw new EvaluationException($"{module.Name}/{version.Name} on '{dataset.Name}' is already queued or running as run {existing}.", 409);
        }

        var run = new EvaluationRun
        {
            ModelVersionId = modelVersionId,
            DatasetId = datasetId,
            Status = RunStatus.Queued,
            TotalSamples = total,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.EvaluationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    // A pipeline version runs when every version it pins may run (retiring one leaves the pipeline version unusable).
    private static async Task CheckPipelineAsync(QualityHubDbContext db, ModelVersion version, CancellationToken cancellationToken)
    {
        var pipeline = (await Registry.PipelineRegistry.LoadVersionsAsync(db, db.ModelVersions.Where(v => v.Id == version.Id), cancellationToken)).Single();
        if (pipeline.Unusable is { } reason)
        {
            throw new EvaluationException($"{pipeline.Pipeline}/{pipeline.Name} cannot run: {reason}", 422, "pipelineVersionId");
        }
    }

    /// <summary>The confirmed model card of a version, or why it cannot be evaluated.</summary>
    public static ModelCard CardOf(ModelVersion version, string? field = null)
    {
        var name = $"{version.Module?.Name}/{version.Name}";
        if (version.ModelCardJson is null)
        {
            throw new EvaluationException($"{name} has no confirmed model card; confirm one on its Models page first.", 422, field);
        }

        try
        {
            return ModelCard.Parse(version.ModelCardJson);
        }
        catch (InvalidModelCardException e)
        {
            throw new EvaluationException($"The model card of {name} cannot be used: {e.Message}", 422, field);
        }
    }

    /// <summary>Marks a queued run cancelled, or a running one (its executor has stopped); finished runs stay as they are.</summary>
    public async Task<bool> MarkCancelledAsync(int runId)
    {
        await using var db = await contextFactory.CreateDbContextAsync();
        var run = await db.EvaluationRuns.SingleOrDefaultAsync(r => r.Id == runId);
        if (run is null || run.Status is not (RunStatus.Queued or RunStatus.Running))
        {
            return false;
        }

        run.Status = RunStatus.Cancelled;
        (run.LeaseOwner, run.LeaseExpiresAt) = (null, null);
        run.CompletedSamples = await db.Predictions.CountAsync(p => p.EvaluationRunId == runId);
        run.CompletedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync();
        return true;
    }

    /// <summary>Records that a run failed for a reason found outside the runner.</summary>
    public async Task MarkFailedAsync(int runId, string reason)
    {
        await using var db = await contextFactory.CreateDbContextAsync();
        await db.EvaluationRuns.Where(r => r.Id == runId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Failed).SetProperty(r => r.Error, reason)
                .SetProperty(r => r.LeaseOwner, (string?)null).SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null));
    }

    /// <summary>Runs left running by a stop (restart, crash) go back to the queue, ahead of newer ones by creation order.</summary>
    public async Task<int> RequeueInterruptedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationRuns.Where(r => r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Queued), cancellationToken);
    }

    /// <summary>The run's status now; null when there is no such run.</summary>
    public async Task<RunStatus?> StatusOfAsync(int runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationRuns.Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The oldest queued run not in <paramref name="exclude"/>.</summary>
    public async Task<int?> NextQueuedAsync(IReadOnlyCollection<int> exclude, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationRuns.Where(r => r.Status == RunStatus.Queued && !exclude.Contains(r.Id))
            .OrderBy(r => r.Id).Select(r => (int?)r.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private static string Quote(IEnumerable<string> labels) => string.Join(", ", labels.Take(12).Select(l => $"'{l}'"));
}
