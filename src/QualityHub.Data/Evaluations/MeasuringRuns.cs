using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;

namespace QualityHub.Data.Evaluations;

/// <summary>A completed run that measures a version on a dataset, with what it measured.</summary>
public sealed record MeasuringRun(int RunId, int ModelVersionId, int DatasetId, string Dataset, DateTimeOffset? CompletedAt, RunMetrics Metrics);

/// <summary>The dataset a module's versions are measured on, and why that one.</summary>
public sealed record ModuleTestSet(int ModuleId, int DatasetId, string Dataset, bool NamedByRequirement);

/// <summary>
/// The one place that answers "which run measures version V on dataset D" — its newest completed run there that has
/// metrics, by completion time, then id — and "which dataset is module M measured on": the test set its current
/// requirement names, else its newest test-split dataset. Releases, requirements, the release board and the online
/// comparison all ask here, so two pages never quote two different runs for one version.
/// </summary>
public sealed class MeasuringRuns(IDbContextFactory<QualityHubDbContext> contextFactory)
{
    /// <summary>The measuring run of each of <paramref name="versionIds"/> on <paramref name="datasetId"/>; versions with none are absent.</summary>
    public async Task<IReadOnlyDictionary<int, MeasuringRun>> OfVersionsAsync(
        IReadOnlyCollection<int> versionIds, int datasetId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var completed = await db.EvaluationRuns.AsNoTracking()
            .Where(r => versionIds.Contains(r.ModelVersionId) && r.DatasetId == datasetId && r.Status == RunStatus.Completed && r.MetricsJson != null)
            .Select(r => new { r.Id, r.ModelVersionId, r.CompletedAt })
            .ToListAsync(cancellationToken);
        var chosen = completed.GroupBy(r => r.ModelVersionId)
            .Select(g => g.OrderByDescending(r => r.CompletedAt).ThenByDescending(r => r.Id).First().Id)
            .ToList();
        var rows = await db.EvaluationRuns.AsNoTracking().Where(r => chosen.Contains(r.Id))
            .Select(r => new { r.Id, r.ModelVersionId, r.DatasetId, Dataset = r.Dataset!.Name, r.CompletedAt, r.MetricsJson })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(
            r => r.ModelVersionId,
            r => new MeasuringRun(r.Id, r.ModelVersionId, r.DatasetId, r.Dataset, r.CompletedAt, RunMetricsCalculator.Parse(r.MetricsJson)!));
    }

    /// <summary>The measuring run of one version on one dataset; null when it has no completed run there.</summary>
    public async Task<MeasuringRun?> OfVersionAsync(int versionId, int datasetId, CancellationToken cancellationToken = default) =>
        (await OfVersionsAsync([versionId], datasetId, cancellationToken)).GetValueOrDefault(versionId);

    /// <summary>The test set of each of <paramref name="moduleIds"/>; modules with neither a requirement's test set nor a test-split dataset are absent.</summary>
    public async Task<IReadOnlyDictionary<int, ModuleTestSet>> TestSetsAsync(IReadOnlyCollection<int> moduleIds, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var named = await db.Requirements.AsNoTracking()
            .Where(r => moduleIds.Contains(r.ModuleId))
            .Select(r => new { r.ModuleId, r.Version, r.AccuracyDatasetId })
            .ToListAsync(cancellationToken);
        var tests = await db.Datasets.AsNoTracking()
            .Where(d => d.ModuleId != null && moduleIds.Contains(d.ModuleId.Value) && d.Split == DatasetSplit.Test)
            .Select(d => new { d.Id, ModuleId = d.ModuleId!.Value, d.Name, d.CreatedAt })
            .ToListAsync(cancellationToken);
        // A dataset relabelled into a new version is replaced by it: the test set is the newest version of the one named.
        var newer = await db.Datasets.AsNoTracking().Where(d => d.PreviousVersionId != null)
            .Select(d => new { d.Id, Previous = d.PreviousVersionId!.Value }).ToListAsync(cancellationToken);
        var next = newer.GroupBy(d => d.Previous).ToDictionary(g => g.Key, g => g.Max(d => d.Id));
        int Newest(int id)
        {
            for (var hops = 0; next.TryGetValue(id, out var later) && hops < 1000; hops++)
            {
                id = later;
            }

            return id;
        }

        var namedIds = named.Where(r => r.AccuracyDatasetId != null).Select(r => Newest(r.AccuracyDatasetId!.Value)).ToList();
        var names = await db.Datasets.AsNoTracking().Where(d => namedIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);

        var result = new Dictionary<int, ModuleTestSet>();
        foreach (var moduleId in moduleIds.Distinct())
        {
            var current = named.Where(r => r.ModuleId == moduleId).OrderByDescending(r => r.Version).FirstOrDefault();
            if (current?.AccuracyDatasetId is { } namedId && Newest(namedId) is var id && names.TryGetValue(id, out var name))
            {
                result[moduleId] = new ModuleTestSet(moduleId, id, name, NamedByRequirement: true);
            }
            else if (tests.Where(d => d.ModuleId == moduleId).OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).FirstOrDefault() is { } newest)
            {
                result[moduleId] = new ModuleTestSet(moduleId, newest.Id, newest.Name, NamedByRequirement: false);
            }
        }

        return result;
    }

    /// <summary>The test set of one module; null when it has none.</summary>
    public async Task<ModuleTestSet?> TestSetAsync(int moduleId, CancellationToken cancellationToken = default) =>
        (await TestSetsAsync([moduleId], cancellationToken)).GetValueOrDefault(moduleId);
}
