using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Gallery;

/// <summary>An error tag of a module's taxonomy and how many samples carry it.</summary>
public sealed record ErrorTagView(int Id, int ModuleId, string Name, int Samples);

/// <summary>What to tag: a list of sample ids, or every item a run's gallery filter matches ("all matching").</summary>
public sealed record TagRequest(string? Tag, int? RunId = null, int? ModuleId = null, IReadOnlyList<long>? SampleIds = null, string? Filter = null,
    bool Remove = false, bool Create = false);

/// <summary>The outcome of tagging: how many samples were asked for and how many changed (the rest had it already, or did not have it).</summary>
public sealed record TagResult(string Tag, int ModuleId, int Matched, int Changed, bool Removed);

/// <summary>One run's answer on a sample, for the item view.</summary>
public sealed record SampleOutput(
    int RunId, string Module, string Version, RunStatus Status, string? Output, double? Confidence, bool Correct, IReadOnlyList<StoredClassScore> TopK,
    int? EditDistance, double? Loss, string? Error, IReadOnlyList<DiffStep>? Diff);

/// <summary>A note and who wrote it (blank for notes written before authors were kept).</summary>
public sealed record SampleNoteView(long Id, string Text, string Author, DateTimeOffset CreatedAt);

public sealed record GroundTruthFlagView(string? SuggestedLabel, string Reason, string FlaggedBy, DateTimeOffset FlaggedAt);

public sealed record SampleTag(int ModuleId, string Module, string Name, string TaggedBy);

/// <summary>Everything known about one sample: the image, its truth, every run's output, tags, notes and the flag.</summary>
public sealed record SampleReview(
    long SampleId, int DatasetId, string Dataset, TaskType TaskType, int Ordinal, int Width, int Height, string GroundTruth, IReadOnlyList<string> Kinds,
    string ImageUrl, IReadOnlyList<SampleOutput> Outputs, IReadOnlyList<SampleTag> ErrorTags, IReadOnlyList<SampleNoteView> Notes, GroundTruthFlagView? Flag);

/// <summary>A flagged sample as the relabel list exports it.</summary>
public sealed record RelabelRow(long SampleId, int Ordinal, string ImageSha256, string GroundTruth, string? SuggestedLabel, string Reason, string FlaggedBy, DateTimeOffset FlaggedAt);

/// <summary>
/// What modelers record about samples: each module's error taxonomy (an editable list), tags on one or many samples,
/// notes, and the "ground truth looks wrong" flag that feeds a relabel list.
/// </summary>
public sealed class SampleReviews(IDbContextFactory<QualityHubDbContext> contextFactory, GalleryService gallery)
{
    /// <summary>Most samples one tagging request may name or match.</summary>
    public const int MaxTagItems = 100_000;

    /// <summary>Every module with its error taxonomy, for the taxonomy editor.</summary>
    public async Task<IReadOnlyList<(int ModuleId, string Module, IReadOnlyList<ErrorTagView> Tags)>> GetTaxonomiesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var modules = await db.Modules.OrderBy(m => m.Name).Select(m => new { m.Id, m.Name }).ToListAsync(cancellationToken);
        var tags = await db.ErrorTags.OrderBy(t => t.Name)
            .Select(t => new ErrorTagView(t.Id, t.ModuleId, t.Name, db.SampleErrorTags.Count(s => s.ErrorTagId == t.Id)))
            .ToListAsync(cancellationToken);
        return modules.Select(m => (m.Id, m.Name, (IReadOnlyList<ErrorTagView>)tags.Where(t => t.ModuleId == m.Id).ToList())).ToList();
    }

    public async Task<IReadOnlyList<ErrorTagView>> GetTagsAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await RequireModuleAsync(db, moduleId, cancellationToken);
        return await db.ErrorTags.Where(t => t.ModuleId == moduleId).OrderBy(t => t.Name)
            .Select(t => new ErrorTagView(t.Id, t.ModuleId, t.Name, db.SampleErrorTags.Count(s => s.ErrorTagId == t.Id)))
            .ToListAsync(cancellationToken);
    }

    public async Task<ErrorTagView> CreateTagAsync(int moduleId, string? name, CancellationToken cancellationToken = default)
    {
        var normalized = NameOf(name);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await RequireModuleAsync(db, moduleId, cancellationToken);
        if (await db.ErrorTags.AnyAsync(t => t.ModuleId == moduleId && t.Name == normalized, cancellationToken))
        {
            throw new GalleryException($"The module has a tag '{normalized}' already.", 409);
        }

        var tag = new ErrorTag { ModuleId = moduleId, Name = normalized, CreatedAt = DateTimeOffset.UtcNow };
        db.ErrorTags.Add(tag);
        await db.SaveChangesAsync(cancellationToken);
        return new ErrorTagView(tag.Id, moduleId, tag.Name, 0);
    }

    public async Task<ErrorTagView> RenameTagAsync(int moduleId, int tagId, string? name, CancellationToken cancellationToken = default)
    {
        var normalized = NameOf(name);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var tag = await db.ErrorTags.SingleOrDefaultAsync(t => t.Id == tagId && t.ModuleId == moduleId, cancellationToken)
            ?? throw new GalleryException($"Module {moduleId} has no error tag {tagId}.", 404);
        if (tag.Name != normalized && await db.ErrorTags.AnyAsync(t => t.ModuleId == moduleId && t.Name == normalized, cancellationToken))
        {
            throw new GalleryException($"The module has a tag '{normalized}' already.", 409);
        }

        tag.Name = normalized;
        await db.SaveChangesAsync(cancellationToken);
        return new ErrorTagView(tag.Id, moduleId, tag.Name, await db.SampleErrorTags.CountAsync(s => s.ErrorTagId == tag.Id, cancellationToken));
    }

    /// <summary>Deletes a tag from the taxonomy and from every sample that had it.</summary>
    public async Task DeleteTagAsync(int moduleId, int tagId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.ErrorTags.Where(t => t.Id == tagId && t.ModuleId == moduleId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            throw new GalleryException($"Module {moduleId} has no error tag {tagId}.", 404);
        }
    }

    /// <summary>Puts a tag on (or takes it off) the samples named or matched; all in one transaction.</summary>
    /// <summary>Tags (or untags) samples as <paramref name="actor"/>, the signed-in account or API key.</summary>
    public async Task<TagResult> ApplyAsync(TagRequest request, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var name = NameOf(request.Tag);
        if ((request.SampleIds is null) == (request.Filter is null))
        {
            throw new GalleryException("Name the samples to tag with sampleIds, or give a run's gallery filter (runId and filter) to tag all it matches — one of the two.");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        int moduleId;
        List<long> ids;
        if (request.RunId is { } runId)
        {
            var run = await gallery.GetRunAsync(runId, cancellationToken);
            moduleId = run.Summary.ModuleId;
            if (request.ModuleId is { } asked && asked != moduleId)
            {
                throw new GalleryException($"Run {runId} is of module {moduleId}, not {asked}.", 422);
            }

            ids = request.Filter is { } filter
                ? await gallery.GetSampleIdsAsync(run, GalleryFilter.Parse(filter), cancellationToken)
                : await CheckSamplesAsync(db, request.SampleIds!, s => s.DatasetId == run.Summary.DatasetId, $"dataset {run.Summary.Dataset} of run {runId}", cancellationToken);
        }
        else
        {
            if (request.ModuleId is not { } module)
            {
                throw new GalleryException("Say whose taxonomy the tag is from: moduleId, or the runId the samples were seen in.");
            }

            if (request.Filter is not null)
            {
                throw new GalleryException("A filter is a run's gallery filter: give its runId.");
            }

            moduleId = module;
            var task = (await RequireModuleAsync(db, moduleId, cancellationToken)).TaskType;
            ids = await CheckSamplesAsync(db, request.SampleIds!, s => s.Dataset!.TaskType == task, $"a {task} dataset", cancellationToken);
        }

        if (ids.Count > MaxTagItems)
        {
            throw new GalleryException($"One request tags at most {MaxTagItems:N0} samples; this one names {ids.Count:N0}. Narrow the filter or send it in parts.", 422);
        }

        var tag = await db.ErrorTags.SingleOrDefaultAsync(t => t.ModuleId == moduleId && t.Name == name, cancellationToken);
        if (tag is null && request.Remove)
        {
            throw new GalleryException($"The module has no error tag '{name}' to remove.", 404, "tag");
        }

        if (tag is null)
        {
            if (!request.Create)
            {
                var known = await db.ErrorTags.Where(t => t.ModuleId == moduleId).OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(cancellationToken);
                throw new GalleryException($"The module has no error tag '{name}' (it has: {string.Join(", ", known)}). Create it first, or send \"create\": true.", 422, "tag");
            }

            tag = new ErrorTag { ModuleId = moduleId, Name = name, CreatedAt = DateTimeOffset.UtcNow };
            db.ErrorTags.Add(tag);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        int changed;
        if (request.Remove)
        {
            changed = await db.SampleErrorTags.Where(t => t.ErrorTagId == tag.Id && ids.Contains(t.SampleId)).ExecuteDeleteAsync(cancellationToken);
        }
        else
        {
            var tagId = tag.Id;
            var already = (await db.SampleErrorTags.Where(t => t.ErrorTagId == tagId && ids.Contains(t.SampleId)).Select(t => t.SampleId).ToListAsync(cancellationToken)).ToHashSet();
            var now = DateTimeOffset.UtcNow;
            var added = ids.Where(id => !already.Contains(id)).Select(id => new SampleErrorTag { SampleId = id, ErrorTagId = tagId, TaggedBy = actor, CreatedAt = now }).ToList();
            db.SampleErrorTags.AddRange(added);
            changed = added.Count;
        }

        AuditInterceptor.Note(db, request.Remove ? "untagged samples" : "tagged samples", $"ErrorTag {tag.Id} ({name})",
            $"{changed:N0} of {ids.Count:N0} samples changed" + (ids.Count <= 20 ? $": {string.Join(", ", ids)}" : ""));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new TagResult(name, moduleId, ids.Count, changed, request.Remove);
    }

    public async Task<SampleReview> GetReviewAsync(long sampleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var sample = await db.Samples.Include(s => s.Dataset).SingleOrDefaultAsync(s => s.Id == sampleId, cancellationToken)
            ?? throw new GalleryException($"There is no sample {sampleId}.", 404);
        // Through the runs of the sample's dataset: predictions are indexed by (run, sample), not by sample alone.
        var runs = db.EvaluationRuns.Where(r => r.DatasetId == sample.DatasetId).Select(r => r.Id);
        var rows = await db.Predictions.Where(p => runs.Contains(p.EvaluationRunId) && p.SampleId == sampleId)
            .Join(db.EvaluationRuns, p => p.EvaluationRunId, r => r.Id, (p, r) => new
            {
                RunId = r.Id,
                Module = r.ModelVersion!.Module!.Name,
                Version = r.ModelVersion.Name,
                r.Status,
                p.Output,
                p.Confidence,
                p.TopKJson,
                p.EditDistance,
                p.Loss,
                p.Error,
            })
            .OrderBy(x => x.RunId).ToListAsync(cancellationToken);
        var text = sample.Dataset!.TaskType == TaskType.TextRecognition;
        var outputs = rows.Select(r => new SampleOutput(
            r.RunId, r.Module, r.Version, r.Status, r.Output, r.Confidence, r.Error is null && r.Output == sample.GroundTruth,
            r.TopKJson is null ? [] : JsonSerializer.Deserialize<List<StoredClassScore>>(r.TopKJson, RunMetricsCalculator.Json)!,
            r.EditDistance ?? (text && r.Error is null ? EditDistance.Levenshtein(r.Output ?? "", sample.GroundTruth) : null), r.Loss, r.Error,
            text && r.Error is null ? CharacterDiff.Align(sample.GroundTruth, r.Output ?? "") : null)).ToList();
        var tags = await db.SampleErrorTags.Where(t => t.SampleId == sampleId)
            .Join(db.ErrorTags, t => t.ErrorTagId, e => e.Id, (t, e) => new { e.ModuleId, e.Name, t.TaggedBy })
            .Join(db.Modules, e => e.ModuleId, m => m.Id, (e, m) => new SampleTag(m.Id, m.Name, e.Name, e.TaggedBy))
            .ToListAsync(cancellationToken);
        var notes = await db.SampleNotes.Where(n => n.SampleId == sampleId).OrderBy(n => n.Id)
            .Select(n => new SampleNoteView(n.Id, n.Text, n.Author, n.CreatedAt)).ToListAsync(cancellationToken);
        var flag = await db.GroundTruthFlags.Where(f => f.SampleId == sampleId)
            .Select(f => new GroundTruthFlagView(f.SuggestedLabel, f.Reason, f.FlaggedBy, f.FlaggedAt)).SingleOrDefaultAsync(cancellationToken);
        return new SampleReview(
            sample.Id, sample.DatasetId, sample.Dataset.Name, sample.Dataset.TaskType, sample.Ordinal, sample.Width, sample.Height, sample.GroundTruth,
            sample.Tags, $"api/samples/{sample.Id}/image", outputs, tags.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(), notes, flag);
    }

    public async Task<SampleNoteView> AddNoteAsync(long sampleId, string? text, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length is 0 or > ErrorTaxonomy.MaxNoteLength)
        {
            throw new GalleryException($"A note has 1 to {ErrorTaxonomy.MaxNoteLength:N0} characters, not {trimmed.Length:N0}.", 422, "text");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await RequireSampleAsync(db, sampleId, cancellationToken);
        var note = new SampleNote { SampleId = sampleId, Text = trimmed, Author = actor, CreatedAt = DateTimeOffset.UtcNow };
        db.SampleNotes.Add(note);
        await db.SaveChangesAsync(cancellationToken);
        return new SampleNoteView(note.Id, note.Text, note.Author, note.CreatedAt);
    }

    /// <summary>Flags (or re-flags) a sample's ground truth as suspect, with the label that looks right if known.</summary>
    public async Task<GroundTruthFlagView> FlagAsync(long sampleId, string? suggestedLabel, string? reason, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var suggested = string.IsNullOrWhiteSpace(suggestedLabel) ? null : suggestedLabel.Trim();
        var why = reason?.Trim() ?? "";
        if (suggested?.Length > 1000)
        {
            throw new GalleryException($"A suggested label has at most 1,000 characters, not {suggested.Length:N0}.", 422, "suggestedLabel");
        }

        if (why.Length > ErrorTaxonomy.MaxNoteLength)
        {
            throw new GalleryException($"A reason has at most {ErrorTaxonomy.MaxNoteLength:N0} characters, not {why.Length:N0}.", 422, "reason");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var sample = await RequireSampleAsync(db, sampleId, cancellationToken);
        if (suggested is not null && sample.Dataset!.TaskType == TaskType.ImageClassification && sample.Dataset.Labels.Count > 0 && !sample.Dataset.Labels.Contains(suggested))
        {
            throw new GalleryException($"'{suggested}' is not a label of {sample.Dataset.Name} ({string.Join(", ", sample.Dataset.Labels)}).", 422, "suggestedLabel");
        }

        var flag = await db.GroundTruthFlags.SingleOrDefaultAsync(f => f.SampleId == sampleId, cancellationToken);
        if (flag is null)
        {
            flag = new GroundTruthFlag { SampleId = sampleId };
            db.GroundTruthFlags.Add(flag);
        }

        flag.SuggestedLabel = suggested;
        flag.Reason = why;
        flag.FlaggedBy = actor;
        flag.FlaggedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
        return new GroundTruthFlagView(flag.SuggestedLabel, flag.Reason, flag.FlaggedBy, flag.FlaggedAt);
    }

    public async Task UnflagAsync(long sampleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await RequireSampleAsync(db, sampleId, cancellationToken);
        await db.GroundTruthFlags.Where(f => f.SampleId == sampleId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>A dataset's flagged samples in dataset order, for data curation; null when the dataset does not exist.</summary>
    public async Task<IReadOnlyList<RelabelRow>?> GetRelabelListAsync(int datasetId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Datasets.AnyAsync(d => d.Id == datasetId, cancellationToken))
        {
            return null;
        }

        return await db.GroundTruthFlags
            .Join(db.Samples.Where(s => s.DatasetId == datasetId), f => f.SampleId, s => s.Id, (f, s) => new { f, s })
            .OrderBy(x => x.s.Ordinal)
            .Select(x => new RelabelRow(x.s.Id, x.s.Ordinal, x.s.ImageSha256, x.s.GroundTruth, x.f.SuggestedLabel, x.f.Reason, x.f.FlaggedBy, x.f.FlaggedAt))
            .ToListAsync(cancellationToken);
    }

    private static string NameOf(string? name)
    {
        try
        {
            return ErrorTaxonomy.Normalize(name);
        }
        catch (ArgumentException e)
        {
            throw new GalleryException(e.Message, 422);
        }
    }

    private static async Task<Module> RequireModuleAsync(QualityHubDbContext db, int moduleId, CancellationToken cancellationToken) =>
        await db.Modules.SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken) ?? throw new GalleryException($"There is no module {moduleId}.", 404);

    private static async Task<Sample> RequireSampleAsync(QualityHubDbContext db, long sampleId, CancellationToken cancellationToken) =>
        await db.Samples.Include(s => s.Dataset).SingleOrDefaultAsync(s => s.Id == sampleId, cancellationToken)
        ?? throw new GalleryException($"There is no sample {sampleId}.", 404);

    /// <summary>The distinct ids, each an existing sample that <paramref name="belongs"/>; otherwise a 422 naming the first few that are not.</summary>
    private static async Task<List<long>> CheckSamplesAsync(
        QualityHubDbContext db, IReadOnlyList<long> requested, System.Linq.Expressions.Expression<Func<Sample, bool>> belongs, string where, CancellationToken cancellationToken)
    {
        var ids = requested.Distinct().ToList();
        if (ids.Count == 0)
        {
            throw new GalleryException("sampleIds is empty: select at least one item.", 422);
        }

        if (ids.Count > MaxTagItems)
        {
            throw new GalleryException($"One request tags at most {MaxTagItems:N0} samples; this one names {ids.Count:N0}. Send it in parts.", 422);
        }

        var found = (await db.Samples.Where(s => ids.Contains(s.Id)).Where(belongs).Select(s => s.Id).ToListAsync(cancellationToken)).ToHashSet();
        var missing = ids.Where(id => !found.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            throw new GalleryException(
                $"{missing.Count:N0} of the sample ids are not samples of {where}: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : "")}.", 422);
        }

        return ids;
    }
}
