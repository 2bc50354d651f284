using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Data;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Features.Releases;

/// <summary>The evaluation that stands for a release entry: the latest completed run of its version on a test set of its module.</summary>
public sealed record EntryMetrics(
    int RunId, int DatasetId, string Dataset, RunStatus Status, Estimate? Headline, string HeadlineName, double? LatencyP95Ms, double? BatchedItemsPerSecond);

/// <summary>How an entry moved against the previous release's entry for the same module.</summary>
public sealed record EntryChange(
    int PreviousReleaseId, string PreviousRelease, int PreviousVersionId, string PreviousVersion, bool SameVersion,
    double? HeadlineDelta, double? LatencyP95DeltaMs, bool Significant, string Verdict);

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
public sealed class ReleaseCatalog(IDbContextFactory<QualityHubDbContext> contextFactory, RunComparer comparer)
{
    public const int MaxNameLength = 200;

    /// <summary>Every release in the order they were made (creation time, then id), each against the one before.</summary>
    public async Task<IReadOnlyList<ReleaseView>> GetReleasesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var releases = await db.Releases.Include(r => r.Entries).ThenInclude(e => e.Module).Include(r => r.Entries).ThenInclude(e => e.ModelVersion)
            .AsNoTracking().ToListAsync(cancellationToken);
        releases = releases.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToList();
        var runs = await db.EvaluationRuns.AsNoTracking()
            .Where(r => r.Dataset!.Split == DatasetSplit.Test)
            .Select(r => new RunRow(r.Id, r.ModelVersionId, r.DatasetId, r.Dataset!.Name, r.Dataset.ModuleId, r.Status, r.MetricsJson))
            .ToListAsync(cancellationToken);

        var views = new List<ReleaseView>();
        var previousByModule = new Dictionary<int, (Release Release, ReleaseEntry Entry, RunRow? Run, RunMetrics? Metrics)>();
        foreach (var release in releases)
        {
            var entries = new List<ReleaseEntryView>();
            foreach (var entry in release.Entries.OrderBy(e => e.Module!.Name, StringComparer.Ordinal))
            {
                previousByModule.TryGetValue(entry.ModuleId, out var previous);
                var run = PickRun(runs, entry, previous.Run?.DatasetId);
                var metrics = run?.Status == RunStatus.Completed ? RunMetricsCalculator.Parse(run.MetricsJson) : null;
                var change = previous.Release is null ? null : await ChangeAsync(previous, entry, run, metrics, cancellationToken);
                entries.Add(new ReleaseEntryView(
                    entry.ModuleId, entry.Module!.Name, entry.Module.TaskType, entry.ModelVersionId, entry.ModelVersion!.Name,
                    run is null ? null : new EntryMetrics(run.Id, run.DatasetId, run.Dataset, run.Status, metrics?.Headline,
                        entry.Module.TaskType == TaskType.TextRecognition ? "exact match" : "accuracy", metrics?.Latency.P95Ms, metrics?.Throughput.BatchedItemsPerSecond),
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

    private sealed record RunRow(int Id, int ModelVersionId, int DatasetId, string Dataset, int? ModuleId, RunStatus Status, string? MetricsJson);

    /// <summary>The latest completed run of the entry's version on a test set of its module, preferring the dataset the previous release was measured on; else the latest unfinished one.</summary>
    private static RunRow? PickRun(List<RunRow> runs, ReleaseEntry entry, int? preferredDataset)
    {
        var candidates = runs.Where(r => r.ModelVersionId == entry.ModelVersionId && r.ModuleId == entry.ModuleId).ToList();
        return candidates.Where(r => r.Status == RunStatus.Completed)
                   .OrderByDescending(r => r.DatasetId == preferredDataset).ThenByDescending(r => r.Id).FirstOrDefault()
               ?? candidates.Where(r => r.Status is RunStatus.Queued or RunStatus.Running).OrderByDescending(r => r.Id).FirstOrDefault();
    }

    private async Task<EntryChange> ChangeAsync(
        (Release Release, ReleaseEntry Entry, RunRow? Run, RunMetrics? Metrics) previous, ReleaseEntry entry, RunRow? run, RunMetrics? metrics, CancellationToken cancellationToken)
    {
        var same = previous.Entry.ModelVersionId == entry.ModelVersionId;
        double? headline = metrics is not null && previous.Metrics is not null ? metrics.Headline.Value - previous.Metrics.Headline.Value : null;
        double? latency = metrics is not null && previous.Metrics is not null ? metrics.Latency.P95Ms - previous.Metrics.Latency.P95Ms : null;
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
