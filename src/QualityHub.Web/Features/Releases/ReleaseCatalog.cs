using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Data;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Features.Releases;

/// <summary>
/// The evaluation that stands for a release entry: the run that measures its version on its module's test set
/// (<see cref="MeasuringRuns"/>), or while there is none, the version's queued or running run there.
/// Processing time is one input at a time, end to end; throughput is the batched run's rate.
/// </summary>
public sealed record EntryMetrics(
    int RunId, int DatasetId, string Dataset, RunStatus Status, Estimate? Headline, string HeadlineName, Estimate? ProcessingP95Ms, double? BatchedItemsPerSecond);

/// <summary>How an entry moved against the previous release's entry for the same module.</summary>
public sealed record EntryChange(
    int PreviousReleaseId, string PreviousRelease, int PreviousVersionId, string PreviousVersion, bool SameVersion,
    double? HeadlineDelta, double? ProcessingP95DeltaMs, bool Significant, string Verdict);

/// <summary>One module's version in a release, with its metrics and the change from the previous release.</summary>
public sealed record ReleaseEntryView(
    int ModuleId, string Module, TaskType TaskType, int ModelVersionId, string Version, EntryMetrics? Metrics, EntryChange? Change);

/// <summary>A release with its entries, oldest release first in lists.</summary>
public sealed record ReleaseView(
    int Id, string Name, ReleaseStatus Status, string Rationale, string? ApprovedBy, DateTimeOffset CreatedAt, DateTimeOffset? ApprovedAt,
    IReadOnlyList<ReleaseEntryView> Entries);

/// <summary>Why a release cannot be created; Status is the HTTP status that says so.</summary>
public sealed class ReleaseException(string message, int status = 400, string? field = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>The request field at fault (name, modelVersionIds, approvedBy, signOff, waivers), when one is.</summary>
    public string? Field { get; } = field;
}

/// <summary>Reads releases with their metrics and creates draft releases.</summary>
public sealed class ReleaseCatalog(IDbContextFactory<QualityHubDbContext> contextFactory, RunComparer comparer, MeasuringRuns measuring)
{
    public const int MaxNameLength = 200;

    /// <summary>Every release in the order they were made (creation time, then id), each against the one before.</summary>
    public async Task<IReadOnlyList<ReleaseView>> GetReleasesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var releases = await db.Releases.Include(r => r.Entries).ThenInclude(e => e.Module).Include(r => r.Entries).ThenInclude(e => e.ModelVersion)
            .AsNoTracking().ToListAsync(cancellationToken);
        releases = releases.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToList();
        var moduleIds = releases.SelectMany(r => r.Entries).Select(e => e.ModuleId).Distinct().ToList();
        var testSets = await measuring.TestSetsAsync(moduleIds, cancellationToken);
        var runs = new Dictionary<(int Module, int Version), RunRow>();
        foreach (var (moduleId, versionIds) in releases.SelectMany(r => r.Entries).GroupBy(e => e.ModuleId).Select(g => (g.Key, g.Select(e => e.ModelVersionId).Distinct().ToList())))
        {
            if (!testSets.TryGetValue(moduleId, out var testSet))
            {
                continue;
            }

            var measured = await measuring.OfVersionsAsync(versionIds, testSet.DatasetId, cancellationToken);
            var unfinished = await db.EvaluationRuns.AsNoTracking()
                .Where(r => versionIds.Contains(r.ModelVersionId) && r.DatasetId == testSet.DatasetId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
                .Select(r => new { r.Id, r.ModelVersionId, r.Status }).ToListAsync(cancellationToken);
            foreach (var versionId in versionIds)
            {
                if (measured.TryGetValue(versionId, out var run))
                {
                    runs[(moduleId, versionId)] = new RunRow(run.RunId, run.DatasetId, run.Dataset, RunStatus.Completed, run.Metrics);
                }
                else if (unfinished.Where(r => r.ModelVersionId == versionId).MaxBy(r => r.Id) is { } waiting)
                {
                    runs[(moduleId, versionId)] = new RunRow(waiting.Id, testSet.DatasetId, testSet.Dataset, waiting.Status, null);
                }
            }
        }

        var views = new List<ReleaseView>();
        var previousByModule = new Dictionary<int, (Release Release, ReleaseEntry Entry, RunRow? Run, RunMetrics? Metrics)>();
        foreach (var release in releases)
        {
            var entries = new List<ReleaseEntryView>();
            foreach (var entry in release.Entries.OrderBy(e => e.Module!.Name, StringComparer.Ordinal))
            {
                previousByModule.TryGetValue(entry.ModuleId, out var previous);
                var run = runs.GetValueOrDefault((entry.ModuleId, entry.ModelVersionId));
                var metrics = run?.Metrics;
                var change = previous.Release is null ? null : await ChangeAsync(previous, entry, run, metrics, cancellationToken);
                entries.Add(new ReleaseEntryView(
                    entry.ModuleId, entry.Module!.Name, entry.Module.TaskType, entry.ModelVersionId, entry.ModelVersion!.Name,
                    run is null ? null : new EntryMetrics(run.Id, run.DatasetId, run.Dataset, run.Status, metrics?.Headline,
                        TaskTypes.HeadlineName(entry.Module.TaskType), metrics?.ProcessingTime?.P95Ms, metrics?.Throughput.BatchedItemsPerSecond),
                    change));
                previousByModule[entry.ModuleId] = (release, entry, run, metrics);
            }

            views.Add(new ReleaseView(release.Id, release.Name, release.Status, release.Rationale, release.ApprovedBy, release.CreatedAt, release.ApprovedAt, entries));
        }

        return views;
    }

    public async Task<ReleaseView?> GetReleaseAsync(int id, CancellationToken cancellationToken = default) =>
        (await GetReleasesAsync(cancellationToken)).FirstOrDefault(r => r.Id == id);

    /// <summary>Creates a draft release fixing one version per module; all checks pass or nothing is written.</summary>
    public async Task<Release> CreateAsync(string? name, string? rationale, IReadOnlyList<int>? versionIds, CancellationToken cancellationToken = default)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength)
        {
            throw new ReleaseException($"A release needs a name of 1 to {MaxNameLength} characters.", field: "name");
        }

        if (versionIds is null || versionIds.Count == 0)
        {
            throw new ReleaseException("A release fixes at least one model version (modelVersionIds).", field: "modelVersionIds");
        }

        if (versionIds.Distinct().Count() != versionIds.Count)
        {
            throw new ReleaseException("Each model version may appear once in modelVersionIds.", field: "modelVersionIds");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.ModelVersions.Include(v => v.Module).Where(v => versionIds.Contains(v.Id)).ToListAsync(cancellationToken);
        var missing = versionIds.Where(id => versions.All(v => v.Id != id)).ToList();
        if (missing.Count > 0)
        {
            throw new ReleaseException($"There is no model version {string.Join(", ", missing)}.", 404, "modelVersionIds");
        }

        var twice = versions.GroupBy(v => v.Module!.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new ReleaseException(
                $"A release fixes one version per module; {string.Join(" and ", twice.Select(v => v.Name))} are both versions of {twice.Key}.", 422, "modelVersionIds");
        }

        if (await db.Releases.AnyAsync(r => r.Name == trimmed, cancellationToken))
        {
            throw new ReleaseException($"There is already a release named '{trimmed}'.", 409, "name");
        }

        var release = new Release
        {
            Name = trimmed,
            Status = ReleaseStatus.Draft,
            Rationale = rationale?.Trim() ?? "",
            CreatedAt = DateTimeOffset.UtcNow,
            Entries = versions.Select(v => new ReleaseEntry { ModuleId = v.ModuleId, ModelVersionId = v.Id }).ToList(),
        };
        db.Releases.Add(release);
        await db.SaveChangesAsync(cancellationToken);
        return release;
    }

    private sealed record RunRow(int Id, int DatasetId, string Dataset, RunStatus Status, RunMetrics? Metrics);

    private async Task<EntryChange> ChangeAsync(
        (Release Release, ReleaseEntry Entry, RunRow? Run, RunMetrics? Metrics) previous, ReleaseEntry entry, RunRow? run, RunMetrics? metrics, CancellationToken cancellationToken)
    {
        var same = previous.Entry.ModelVersionId == entry.ModelVersionId;
        double? headline = metrics is not null && previous.Metrics is not null ? metrics.Headline.Value - previous.Metrics.Headline.Value : null;
        double? latency = metrics?.ProcessingTime is { } now && previous.Metrics?.ProcessingTime is { } before ? now.P95Ms.Value - before.P95Ms.Value : null;
        string verdict;
        var significant = false;
        if (same)
        {
            verdict = "unchanged";
        }
        else if (metrics is null || previous.Metrics is null || run is null || previous.Run is null)
        {
            verdict = "not evaluated yet";
        }
        else if (run.DatasetId != previous.Run.DatasetId)
        {
            verdict = "measured on different test sets";
        }
        else
        {
            var pair = (await comparer.CompareAsync([previous.Run.Id, run.Id], cancellationToken)).Pairs[0];
            significant = pair.Significant;
            verdict = pair.Verdict;
        }

        return new EntryChange(previous.Release.Id, previous.Release.Name, previous.Entry.ModelVersionId, previous.Entry.ModelVersion!.Name, same,
            same ? 0 : headline, same ? 0 : latency, significant, verdict);
    }
}
