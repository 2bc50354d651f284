using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Registry;
using QualityHub.Web.Features.Datasets;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Features.Gallery;

/// <summary>
/// One sample in a run's gallery: what it is, what the model said, and what modelers said about it. For a text
/// recogniser's wrong answer, <see cref="Diff"/> aligns it with the truth character by character (null otherwise).
/// </summary>
public sealed record GalleryItem(
    long SampleId, int Ordinal, string GroundTruth, IReadOnlyList<string> Kinds, string? Output, double? Confidence, bool Correct, double? Loss,
    int? EditDistance, string? Error, IReadOnlyList<string> ErrorTags, bool Suspect, string ImageUrl, string? ImageData,
    IReadOnlyList<Core.Metrics.DiffStep>? Diff = null);

/// <summary>A page of a gallery and how many items match in all.</summary>
public sealed record GalleryItems(IReadOnlyList<GalleryItem> Items, int Total);

/// <summary>Failures per error tag for runs on one dataset: Counts[run][tag], plus failures without any tag.</summary>
public sealed record FailureKinds(IReadOnlyList<RunSummary> Runs, IReadOnlyList<string> Tags, IReadOnlyList<int[]> Counts, IReadOnlyList<int> Untagged, IReadOnlyList<int> Failures);

/// <summary>
/// The error gallery of a run: its predictions filtered and sorted in SQL (failures by default, a confusion-matrix
/// cell, a confidence range, a kind, an error tag, suspect ground truth, or the regressions / fixes against another
/// run), and what failure kinds dominate. Tags, notes and flags are kept by <see cref="SampleReviews"/>.
/// </summary>
public sealed class GalleryService(IDbContextFactory<QualityHubDbContext> contextFactory, EvaluationCatalog catalog, DatasetCatalog datasets)
{
    public const int MaxPageSize = 1000;

    /// <summary>The run a gallery is of; 404 when it does not exist (or was deleted with its model or dataset).</summary>
    public async Task<RunDetail> GetRunAsync(int runId, CancellationToken cancellationToken = default) =>
        await catalog.GetRunAsync(runId, cancellationToken) ?? throw new GalleryException($"There is no evaluation run {runId}. It may have been deleted with its model or dataset.", 404);

    public async Task<GalleryItems> GetPageAsync(int runId, GalleryFilter filter, int skip, int take, bool inlineImages, CancellationToken cancellationToken = default)
    {
        var run = await GetRunAsync(runId, cancellationToken);
        await CheckBaselineAsync(run, filter, cancellationToken);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = Filter(db, run.Summary, filter);
        var total = await rows.CountAsync(cancellationToken);
        var page = await Sort(rows, filter.Sort).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 0, MaxPageSize))
            .Select(x => new
            {
                x.S.Id,
                x.S.Ordinal,
                x.S.GroundTruth,
                x.S.Tags,
                x.S.ImageSha256,
                x.P.Output,
                x.P.Confidence,
                x.P.Loss,
                x.P.EditDistance,
                x.P.Error,
            })
            .ToListAsync(cancellationToken);

        var ids = page.Select(p => p.Id).ToList();
        var moduleId = run.Summary.ModuleId;
        var tags = (await db.SampleErrorTags.Where(t => ids.Contains(t.SampleId) && t.ErrorTag!.ModuleId == moduleId)
                .Select(t => new { t.SampleId, t.ErrorTag!.Name }).ToListAsync(cancellationToken))
            .ToLookup(t => t.SampleId, t => t.Name);
        var suspect = (await db.GroundTruthFlags.Where(f => ids.Contains(f.SampleId)).Select(f => f.SampleId).ToListAsync(cancellationToken)).ToHashSet();

        var text = run.Summary.TaskType == TaskType.TextRecognition;
        var items = page.Select(p => new GalleryItem(
            p.Id, p.Ordinal, p.GroundTruth, p.Tags, p.Output, p.Confidence, p.Error is null && p.Output == p.GroundTruth, p.Loss, p.EditDistance, p.Error,
            tags[p.Id].Order(StringComparer.Ordinal).ToList(), suspect.Contains(p.Id), $"api/samples/{p.Id}/image",
            inlineImages ? datasets.InlineImage(p.ImageSha256) : null,
            text && p.Error is null && p.Output != p.GroundTruth ? Core.Metrics.CharacterDiff.Align(p.GroundTruth, p.Output ?? "") : null)).ToList();
        return new GalleryItems(items, total);
    }

    /// <summary>The kinds (sample tags) used in a dataset, for the kind filter.</summary>
    public async Task<IReadOnlyList<string>> GetKindsAsync(int datasetId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await SampleTags.DistinctAsync(db, datasetId, cancellationToken);
    }

    /// <summary>Every sample id the filter matches (to tag "all matching").</summary>
    public async Task<List<long>> GetSampleIdsAsync(RunDetail run, GalleryFilter filter, CancellationToken cancellationToken = default)
    {
        await CheckBaselineAsync(run, filter, cancellationToken);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await Filter(db, run.Summary, filter).Select(x => x.S.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Failures per error tag of this run and of the other completed runs of its module on the same dataset (the most
    /// recent <paramref name="maxRuns"/>, oldest first), so a modeler sees which kinds dominate and how they move.
    /// </summary>
    public async Task<FailureKinds> GetFailureKindsAsync(int runId, int maxRuns = 6, CancellationToken cancellationToken = default)
    {
        var run = await GetRunAsync(runId, cancellationToken);
        var others = (await catalog.GetRunsAsync(run.Summary.ModuleId, cancellationToken))
            .Where(r => r.DatasetId == run.Summary.DatasetId && r.Status == RunStatus.Completed && r.Id != runId)
            .Take(maxRuns - 1);
        var runs = others.Append(run.Summary).OrderBy(r => r.Id).ToList();
        var runIds = runs.Select(r => r.Id).ToList();
        var moduleId = run.Summary.ModuleId;

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var failures = db.Predictions.Where(p => runIds.Contains(p.EvaluationRunId))
            .Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new Row { P = p, S = s })
            .Where(x => x.P.Error != null || x.P.Output != x.S.GroundTruth);
        var perRun = await failures.GroupBy(x => x.P.EvaluationRunId).Select(g => new { Run = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var tagged = await failures
            .Join(db.SampleErrorTags, x => x.S.Id, t => t.SampleId, (x, t) => new { x.P.EvaluationRunId, t.ErrorTagId })
            .Join(db.ErrorTags.Where(t => t.ModuleId == moduleId), x => x.ErrorTagId, t => t.Id, (x, t) => new { x.EvaluationRunId, t.Name })
            .GroupBy(x => new { x.EvaluationRunId, x.Name })
            .Select(g => new { g.Key.EvaluationRunId, g.Key.Name, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var anyTag = await failures
            .Where(x => db.SampleErrorTags.Any(t => t.SampleId == x.S.Id && t.ErrorTag!.ModuleId == moduleId))
            .GroupBy(x => x.P.EvaluationRunId).Select(g => new { Run = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);

        var tags = tagged.GroupBy(t => t.Name).OrderByDescending(g => g.Sum(t => t.Count)).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        var counts = runs.Select(r => tags.Select(tag => tagged.FirstOrDefault(t => t.EvaluationRunId == r.Id && t.Name == tag)?.Count ?? 0).ToArray()).ToList();
        var totals = runs.Select(r => perRun.FirstOrDefault(x => x.Run == r.Id)?.Count ?? 0).ToList();
        var untagged = runs.Select((r, i) => totals[i] - (anyTag.FirstOrDefault(x => x.Run == r.Id)?.Count ?? 0)).ToList();
        return new FailureKinds(runs, tags, counts, untagged, totals);
    }

    private async Task CheckBaselineAsync(RunDetail run, GalleryFilter filter, CancellationToken cancellationToken)
    {
        if (filter.BaselineRunId is not { } baselineId)
        {
            return;
        }

        if (baselineId == run.Summary.Id)
        {
            throw new GalleryException("A run compared with itself has no regressions or fixes; compareTo names another run.", 422);
        }

        var baseline = await catalog.GetRunAsync(baselineId, cancellationToken)
            ?? throw new GalleryException($"There is no evaluation run {baselineId} to compare with.", 404);
        if (baseline.Summary.DatasetId != run.Summary.DatasetId)
        {
            throw new GalleryException(
                $"Run {baselineId} is on {baseline.Summary.Dataset} and run {run.Summary.Id} on {run.Summary.Dataset}: regressions and fixes need the same samples.", 422);
        }
    }

    // A class with an initializer, not a positional record: EF translates member access through it into SQL.
    private sealed class Row
    {
        public required Prediction P { get; init; }
        public required Sample S { get; init; }
    }

    private static IQueryable<Row> Filter(QualityHubDbContext db, RunSummary run, GalleryFilter filter)
    {
        var runId = run.Id;
        var rows = db.Predictions.Where(p => p.EvaluationRunId == runId).Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new Row { P = p, S = s });
        if (filter.Change is { } change)
        {
            // The same rule as the comparison's counts: right means answered and equal to the ground truth.
            var baseline = filter.BaselineRunId!.Value;
            rows = change == RunChange.Regressions
                ? rows.Where(x => (x.P.Error != null || x.P.Output != x.S.GroundTruth)
                                  && db.Predictions.Any(b => b.EvaluationRunId == baseline && b.SampleId == x.S.Id && b.Error == null && b.Output == x.S.GroundTruth))
                : rows.Where(x => x.P.Error == null && x.P.Output == x.S.GroundTruth
                                  && db.Predictions.Any(b => b.EvaluationRunId == baseline && b.SampleId == x.S.Id && (b.Error != null || b.Output != x.S.GroundTruth)));
        }
        else if (filter.Scope == GalleryScope.Failures && !filter.IsCell)
        {
            rows = rows.Where(x => x.P.Error != null || x.P.Output != x.S.GroundTruth);
        }

        if (filter.TrueLabel is { } truth)
        {
            rows = rows.Where(x => x.S.GroundTruth == truth);
        }

        if (filter.PredictedLabel is { } predicted)
        {
            rows = rows.Where(x => x.P.Error == null && x.P.Output == predicted);
        }

        if (filter.MinConfidence is { } min)
        {
            rows = rows.Where(x => x.P.Confidence >= min);
        }

        if (filter.MaxConfidence is { } max)
        {
            rows = rows.Where(x => x.P.Confidence <= max);
        }

        if (filter.Kind is { } kind)
        {
            rows = rows.Where(x => x.S.Tags.Contains(kind));
        }

        if (filter.Tag is { } tag)
        {
            var name = tag.Trim().ToLowerInvariant();
            var moduleId = run.ModuleId;
            rows = rows.Where(x => db.SampleErrorTags.Any(t => t.SampleId == x.S.Id && t.ErrorTag!.ModuleId == moduleId && t.ErrorTag.Name == name));
        }

        if (filter.SuspectOnly)
        {
            rows = rows.Where(x => db.GroundTruthFlags.Any(f => f.SampleId == x.S.Id));
        }

        return rows;
    }

    private static IQueryable<Row> Sort(IQueryable<Row> rows, GallerySort sort) => sort switch
    {
        GallerySort.ConfidenceHigh => rows.OrderBy(x => x.P.Confidence == null).ThenByDescending(x => x.P.Confidence).ThenBy(x => x.S.Ordinal),
        GallerySort.ConfidenceLow => rows.OrderBy(x => x.P.Confidence == null).ThenBy(x => x.P.Confidence).ThenBy(x => x.S.Ordinal),
        GallerySort.Loss => rows.OrderBy(x => x.P.Loss == null).ThenByDescending(x => x.P.Loss).ThenBy(x => x.S.Ordinal),
        GallerySort.EditDistance => rows.OrderBy(x => x.P.EditDistance == null).ThenByDescending(x => x.P.EditDistance).ThenBy(x => x.S.Ordinal),
        _ => rows.OrderBy(x => x.S.Ordinal),
    };
}
