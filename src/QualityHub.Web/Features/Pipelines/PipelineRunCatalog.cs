using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>Which photos of a pipeline run to show: those with a field wrong (any stage to blame, or one stage's), or all.</summary>
public enum PhotoFilter
{
    Wrong,
    Detector,
    Recogniser,
    Parser,
    All,
}

/// <summary>
/// One photo of a pipeline run, for the gallery: the image and its size, the truth (as shown and line by line), what the
/// pipeline read (the regions with their texts, the fields, the stages' times), each field's outcome and the stage it
/// is put down to, and the detector's regions matched against the true lines (for drawing).
/// </summary>
public sealed record PipelinePhotoItem(
    long SampleId,
    int Ordinal,
    string ImageUrl,
    int Width,
    int Height,
    IReadOnlyList<string> Tags,
    string Expected,
    string? Output,
    string? Error,
    IReadOnlyList<FieldOutcome> Outcomes,
    IReadOnlyList<TrueLine> TrueLines,
    IReadOnlyList<StoredRegion> Regions,
    StageMilliseconds? Times,
    ImageDetection? Detection);

/// <summary>A page of a pipeline run's photos, how many match the filter, and how many photos each filter holds.</summary>
public sealed record PipelinePhotoPage(IReadOnlyList<PipelinePhotoItem> Items, int Total, IReadOnlyDictionary<PhotoFilter, int> Counts);

/// <summary>A pipeline version's latest run: its status and, once completed, its headline (cards read right) and processing time p95.</summary>
public sealed record PipelineRunLine(int VersionId, int RunId, string Dataset, RunStatus Status, Estimate? CardsReadRight, double? ProcessingP95Ms);

/// <summary>A photo of a pipeline test set to read on the Pipelines page, with its truth.</summary>
public sealed record PhotoChoice(long SampleId, string Dataset, int Ordinal, int Width, int Height, IReadOnlyList<string> Tags, CardTruth Truth)
{
    public string Expected => CardPhotoJson.Describe(Truth);
}

/// <summary>Reads a pipeline run's photos back from its stored outputs and judges each again, for the galleries by blame.</summary>
public sealed class PipelineRunCatalog(IDbContextFactory<QualityHubDbContext> contextFactory, Data.Content.ContentStore store)
{
    public const int MaxPageSize = 100;

    /// <summary>The latest run of each pipeline version, by version id.</summary>
    public async Task<IReadOnlyDictionary<int, PipelineRunLine>> LatestRunsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var runs = await db.EvaluationRuns.AsNoTracking().Where(r => r.ModelVersion!.Module!.TaskType == TaskType.Pipeline)
            .Select(r => new { r.Id, r.ModelVersionId, Dataset = r.Dataset!.Name, r.Status, r.MetricsJson }).ToListAsync(cancellationToken);
        return runs.GroupBy(r => r.ModelVersionId).Select(g => g.MaxBy(r => r.Id)!).ToDictionary(r => r.ModelVersionId, r =>
        {
            var metrics = Data.Evaluations.RunMetricsCalculator.Parse(r.MetricsJson);
            return new PipelineRunLine(r.ModelVersionId, r.Id, r.Dataset, r.Status, metrics?.Headline, metrics?.ProcessingTime?.P95Ms.Value);
        });
    }

    /// <summary>The content hash of a sample's photo, or null when there is no such sample.</summary>
    public async Task<string?> ImageShaOfAsync(long sampleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Samples.Where(s => s.Id == sampleId).Select(s => s.ImageSha256).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>A sample's stored image bytes, or null when there is no such sample.</summary>
    public async Task<byte[]?> ImageOfAsync(long sampleId, CancellationToken cancellationToken = default) =>
        await ImageShaOfAsync(sampleId, cancellationToken) is { } sha ? await File.ReadAllBytesAsync(store.PathOf(sha), cancellationToken) : null;

    /// <summary>The first <paramref name="take"/> photos of each pipeline test set, in order.</summary>
    public async Task<IReadOnlyList<PhotoChoice>> PhotoChoicesAsync(int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Samples.AsNoTracking().Where(s => s.Dataset!.TaskType == TaskType.Pipeline && s.Ordinal < take)
            .OrderBy(s => s.DatasetId).ThenBy(s => s.Ordinal)
            .Select(s => new { s.Id, Dataset = s.Dataset!.Name, s.Ordinal, s.Width, s.Height, s.Tags, s.GroundTruth }).ToListAsync(cancellationToken);
        return rows.Select(r => new PhotoChoice(r.Id, r.Dataset, r.Ordinal, r.Width, r.Height, r.Tags, CardPhotoJson.Parse(r.GroundTruth))).ToList();
    }

    /// <summary>The photos of <paramref name="runId"/> that pass <paramref name="filter"/> (for one field, or either), in dataset order; null when it is no pipeline run.</summary>
    public async Task<PipelinePhotoPage?> GetPhotosAsync(int runId, PhotoFilter filter, CardField? field, int skip, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.EvaluationRuns.Where(r => r.Id == runId && r.Dataset!.TaskType == TaskType.Pipeline)
            .Select(r => new { r.MetricsJson, r.ModelVersion!.Module!.TextComparison }).SingleOrDefaultAsync(cancellationToken);
        if (run is null)
        {
            return null;
        }

        // The photos are judged as the run's figures were: under the rule it was scored with (the module's now while it runs;
        // runs from before pipelines took their module's rule were scored without spaces, as the default rule does).
        var scored = run.MetricsJson is null ? null : RunMetricsCalculator.Parse(run.MetricsJson)?.Fields;
        var rule = scored is null ? run.TextComparison : scored.Rule ?? CardFieldMetrics.DefaultRule;

        var rows = await db.Predictions.Where(p => p.EvaluationRunId == runId)
            .Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new { s.Id, s.Ordinal, s.Width, s.Height, s.Tags, s.GroundTruth, p.Output, p.DetailJson, p.Error })
            .OrderBy(x => x.Ordinal).ToListAsync(cancellationToken);
        var judged = rows.Select(r =>
        {
            var truth = CardPhotoJson.Parse(r.GroundTruth);
            var output = r.Error is null && r.DetailJson is not null ? CardReadOutput.Parse(r.DetailJson) : null;
            var outcomes = output is null ? [] : CardFieldMetrics.Judge(truth, new CardPrediction(output.Fields, output.Regions.Select(x => new ReadRegion(x.Quad, x.Text)).ToList()), rule);
            return (Row: r, Truth: truth, Output: output, Outcomes: outcomes);
        }).ToList();

        var counts = Enum.GetValues<PhotoFilter>().ToDictionary(f => f, f => judged.Count(p => Passes(p.Output, p.Outcomes, f, field)));
        var matching = judged.Where(p => Passes(p.Output, p.Outcomes, filter, field)).ToList();
        var page = matching.Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 0, MaxPageSize)).Select(p =>
        {
            var detection = p.Output is null ? null : DetectionMetrics.Compute(
                [new DetectedItem(p.Truth.Lines.Select(l => new TrueRegion(l.Quad)).ToList(), p.Output.Regions.Select(x => new PredictedRegion(x.Quad, x.Score)).ToList())],
                null, new DetectionSettings(MaxPredictionsPerImage: PipelineMetrics.MaxRegions)).PerImage[0];
            return new PipelinePhotoItem(
                p.Row.Id, p.Row.Ordinal, $"api/samples/{p.Row.Id}/image", p.Row.Width, p.Row.Height, p.Row.Tags, CardPhotoJson.Describe(p.Truth), p.Row.Output, p.Row.Error,
                p.Outcomes, p.Truth.Lines, p.Output?.Regions ?? [], p.Output?.Times, detection);
        }).ToList();
        return new PipelinePhotoPage(page, matching.Count, counts);
    }

    // Whether a photo (its answer, null when the pipeline failed on it, and its fields' outcomes) passes a filter on one field or either.
    private static bool Passes(CardReadOutput? output, IReadOnlyList<FieldOutcome> outcomes, PhotoFilter by, CardField? field)
    {
        var considered = outcomes.Where(o => field is null || o.Field == field).ToList();
        return by switch
        {
            PhotoFilter.All => true,
            PhotoFilter.Wrong => output is null || considered.Any(o => o.Blame != Blame.None),
            PhotoFilter.Detector => considered.Any(o => o.Blame == Blame.Detector),
            PhotoFilter.Recogniser => considered.Any(o => o.Blame == Blame.Recogniser),
            _ => considered.Any(o => o.Blame == Blame.Parser),
        };
    }
}
