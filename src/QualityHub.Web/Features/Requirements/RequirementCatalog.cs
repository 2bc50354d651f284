using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Core.Requirements;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Requirements;

/// <summary>A planner's new version of a module's requirement; <see cref="BasedOnVersion"/> is the version they edited (null for the first).</summary>
public sealed record RequirementInput(
    double? OfflineP95Ms = null, double? OnlineP95Ms = null, string? AccuracyMetric = null, double? AccuracyThreshold = null, int? AccuracyDatasetId = null,
    double? TargetQps = null, string? ServingTarget = null, string? GpuModel = null, double? GpuMemoryGb = null, string? Cpu = null,
    decimal? BudgetPerMonth = null, string? Rationale = null, int? BasedOnVersion = null);

/// <summary>One stored version of a requirement.</summary>
public sealed record RequirementView(
    int Id, int ModuleId, int Version, double? OfflineP95Ms, double? OnlineP95Ms, string? AccuracyMetric, double? AccuracyThreshold,
    int? AccuracyDatasetId, string? AccuracyDataset, double? TargetQps, ServingTarget? ServingTarget, string? GpuModel, double? GpuMemoryGb,
    string? Cpu, decimal? BudgetPerMonth, string Rationale, DateTimeOffset CreatedAt);

/// <summary>A module with its current requirement and how many versions it has had.</summary>
public sealed record ModuleRequirementSummary(int ModuleId, string Module, TaskType TaskType, RequirementView? Current, int Versions);

/// <summary>One candidate's row of the scorecard.</summary>
public sealed record CandidateScore(
    int ModelVersionId, string Version, ModelStatus Status, double ModelMemoryGb, int? RunId, double? ItemsPerSecond, IReadOnlyList<RequirementCheck> Checks)
{
    public int Passed => Checks.Count(c => c.Outcome == CheckOutcome.Pass);

    public int Failed => Checks.Count(c => c.Outcome == CheckOutcome.Fail);

    public int NotMeasured => Checks.Count(c => c.Outcome == CheckOutcome.NotMeasured);
}

/// <summary>Every candidate of a module against its current requirement.</summary>
public sealed record ScorecardView(int ModuleId, string Module, RequirementView? Requirement, IReadOnlyList<CandidateScore> Candidates);

/// <summary>Why a requirement was refused: the status that says so and the problems, each named by its field.</summary>
public sealed class RequirementException(string message, int status, IReadOnlyList<RequirementProblem>? problems = null) : Exception(message)
{
    public int Status { get; } = status;

    public IReadOnlyList<RequirementProblem> Problems { get; } = problems ?? [];
}

/// <summary>The body of PUT /api/modules/{id}/text-comparison: what a text module's outputs are compared ignoring.</summary>
public sealed record TextComparisonRequest(bool IgnoreCase = false, bool IgnoreSpaces = false, bool IgnoreSeparators = false)
{
    public TextComparison Rule =>
        (IgnoreCase ? TextComparison.IgnoreCase : 0) | (IgnoreSpaces ? TextComparison.IgnoreSpaces : 0) | (IgnoreSeparators ? TextComparison.IgnoreSeparators : 0);
}

/// <summary>A text module's comparison rule, as flags and in words.</summary>
public sealed record TextComparisonView(int ModuleId, string Module, bool IgnoreCase, bool IgnoreSpaces, bool IgnoreSeparators, string Separators, string Description)
{
    public static TextComparisonView Of(Module module) => new(
        module.Id, module.Name, module.TextComparison.HasFlag(TextComparison.IgnoreCase), module.TextComparison.HasFlag(TextComparison.IgnoreSpaces),
        module.TextComparison.HasFlag(TextComparison.IgnoreSeparators), TextComparisons.Separators, TextComparisons.Describe(module.TextComparison));
}

/// <summary>Requirements per module (each change a new version; the history is never rewritten) and the scorecard of its candidates.</summary>
public sealed class RequirementCatalog(IDbContextFactory<QualityHubDbContext> contextFactory, MeasuringRuns measuring)
{
    private const double BytesPerGb = 1024d * 1024 * 1024;


    public async Task<IReadOnlyList<ModuleRequirementSummary>> GetModulesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var modules = await db.Modules.AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var all = await Views(db, db.Requirements).ToListAsync(cancellationToken);
        return modules.Select(m =>
        {
            var versions = all.Where(r => r.ModuleId == m.Id).ToList();
            return new ModuleRequirementSummary(m.Id, m.Name, m.TaskType, versions.MaxBy(r => r.Version), versions.Count);
        }).ToList();
    }

    /// <summary>Every version of a module's requirement, newest first; null when there is no such module.</summary>
    public async Task<IReadOnlyList<RequirementView>?> GetHistoryAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Modules.AnyAsync(m => m.Id == moduleId, cancellationToken))
        {
            return null;
        }

        return await Views(db, db.Requirements.Where(r => r.ModuleId == moduleId).OrderByDescending(r => r.Version)).ToListAsync(cancellationToken);
    }

    /// <summary>Stores a new version; refuses impossible targets (422), an unknown module or dataset (404) and an edit of a stale version (409).</summary>
    public async Task<RequirementView> CreateAsync(int moduleId, RequirementInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.AsNoTracking().SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken)
            ?? throw new RequirementException($"There is no module {moduleId}.", 404);

        ServingTarget? serving = null;
        if (!string.IsNullOrWhiteSpace(input.ServingTarget))
        {
            serving = Enum.TryParse<ServingTarget>(input.ServingTarget.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal), ignoreCase: true, out var parsed)
                && Enum.IsDefined(parsed)
                ? parsed
                : throw new RequirementException("Not a valid requirement.", 422,
                    [new("servingTarget", $"servingTarget must be one of {string.Join(", ", Enum.GetNames<ServingTarget>())}, not '{input.ServingTarget}'.")]);
        }

        var requirement = new Requirement
        {
            ModuleId = moduleId,
            OfflineP95Ms = input.OfflineP95Ms,
            OnlineP95Ms = input.OnlineP95Ms,
            AccuracyMetric = string.IsNullOrWhiteSpace(input.AccuracyMetric) ? null : input.AccuracyMetric.Trim(),
            AccuracyThreshold = input.AccuracyThreshold,
            AccuracyDatasetId = input.AccuracyDatasetId,
            TargetQps = input.TargetQps,
            ServingTarget = serving,
            GpuModel = string.IsNullOrWhiteSpace(input.GpuModel) ? null : input.GpuModel.Trim(),
            GpuMemoryGb = input.GpuMemoryGb,
            Cpu = string.IsNullOrWhiteSpace(input.Cpu) ? null : input.Cpu.Trim(),
            BudgetPerMonth = input.BudgetPerMonth,
            Rationale = input.Rationale?.Trim() ?? "",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var problems = RequirementRules.Problems(requirement, module.TaskType);
        if (problems.Count > 0)
        {
            throw new RequirementException("Not a valid requirement.", 422, problems);
        }

        if (requirement.AccuracyDatasetId is { } datasetId
            && !await db.Datasets.AnyAsync(d => d.Id == datasetId && (d.ModuleId == null || d.ModuleId == moduleId), cancellationToken))
        {
            throw new RequirementException($"There is no dataset {datasetId} of module {module.Name}.", 404, [new("accuracyDatasetId", $"No dataset {datasetId} of this module.")]);
        }

        var current = await db.Requirements.Where(r => r.ModuleId == moduleId).MaxAsync(r => (int?)r.Version, cancellationToken) ?? 0;
        if (input.BasedOnVersion != (current == 0 ? null : current))
        {
            throw new RequirementException(
                current == 0
                    ? $"Module {module.Name} has no requirement yet; a first version is based on none."
                    : $"Version {current} of {module.Name}'s requirement was written after version {input.BasedOnVersion?.ToString() ?? "none"} that this change starts from; review it and try again.",
                409);
        }

        requirement.Version = current + 1;
        db.Requirements.Add(requirement);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            // Two planners saved on the same version at once: the unique (module, version) index lets one in.
            throw new RequirementException($"Version {requirement.Version} of {module.Name}'s requirement was just written by someone else; review it and try again.", 409);
        }

        return await Views(db, db.Requirements.Where(r => r.Id == requirement.Id)).SingleAsync(cancellationToken);
    }

    /// <summary>The scorecard of a module's candidates (every version neither retired nor superseded); null when there is no such module.</summary>
    public async Task<TextComparisonView?> GetTextComparisonAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Modules.AsNoTracking().SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken) is { } module ? TextComparisonView.Of(module) : null;
    }

    /// <summary>
    /// Sets how a text module compares outputs with the truth. Runs made from now on report their text metrics under it
    /// beside the raw ones; requirements that target a "…UnderRule" metric need a run scored under the rule now.
    /// </summary>
    public async Task<TextComparisonView> SetTextComparisonAsync(int moduleId, TextComparisonRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken)
            ?? throw new RequirementException($"There is no module {moduleId}.", 404);
        if (module.TaskType is not (TaskType.TextRecognition or TaskType.Pipeline))
        {
            throw new RequirementException($"{module.Name} is a {module.TaskType} module: a comparison rule is for text outputs.", 422,
                [new RequirementProblem("textComparison", "Only text-recognition modules and pipelines (their card fields) compare text.")]);
        }

        module.TextComparison = request.Rule;
        await db.SaveChangesAsync(cancellationToken);
        return TextComparisonView.Of(module);
    }

    public async Task<ScorecardView?> GetScorecardAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.AsNoTracking().SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken);
        if (module is null)
        {
            return null;
        }

        var requirement = await Views(db, db.Requirements.Where(r => r.ModuleId == moduleId).OrderByDescending(r => r.Version)).FirstOrDefaultAsync(cancellationToken);
        var versions = await db.ModelVersions.AsNoTracking().Where(v => v.ModuleId == moduleId && v.Status != ModelStatus.Retired && v.Status != ModelStatus.Superseded)
            .OrderBy(v => v.CreatedAt).ThenBy(v => v.Id).ToListAsync(cancellationToken);
        if (requirement is null)
        {
            return new ScorecardView(moduleId, module.Name, null, versions.Select(v => new CandidateScore(v.Id, v.Name, v.Status, v.SizeBytes / BytesPerGb, null, null, [])).ToList());
        }

        var stored = await db.Requirements.AsNoTracking().SingleAsync(r => r.Id == requirement.Id, cancellationToken);
        var versionIds = versions.Select(v => v.Id).ToList();
        var testSet = await measuring.TestSetAsync(moduleId, cancellationToken);
        var runs = testSet is null ? new Dictionary<int, MeasuringRun>() : await measuring.OfVersionsAsync(versionIds, testSet.DatasetId, cancellationToken);
        var blockers = await OpenBlockersAsync(moduleId, cancellationToken);
        var online = await OnlineP95ByVersionAsync(db, moduleId, versionIds, cancellationToken);

        var candidates = versions.Select(v =>
        {
            var run = runs.GetValueOrDefault(v.Id) is { } measured ? new MeasuredRun(measured.RunId, measured.Dataset, measured.Metrics) : null;
            var evidence = new CandidateEvidence(run, v.SizeBytes / BytesPerGb, online.GetValueOrDefault(v.Id), OpenBlockers: blockers, TextRule: module.TextComparison);
            return new CandidateScore(v.Id, v.Name, v.Status, evidence.ModelMemoryGb, run?.RunId, run?.Metrics.Throughput.BatchedItemsPerSecond,
                Scorecard.Check(stored, evidence));
        }).ToList();
        return new ScorecardView(moduleId, module.Name, requirement, candidates);
    }

    /// <summary>Open blocker tickets on a module: they fail its scorecard and stop a release.</summary>
    public async Task<int> OpenBlockersAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        var settled = TicketWorkflow.Settled.ToList();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.VocTickets.CountAsync(t => t.ModuleId == moduleId && t.Severity == TicketSeverity.Blocker && !settled.Contains(t.Status), cancellationToken);
    }

    // Online p95 of each version: the hour aggregates of the releases that ship it for this module, over the window.
    private static async Task<Dictionary<int, double?>> OnlineP95ByVersionAsync(
        QualityHubDbContext db, int moduleId, IReadOnlyCollection<int> versionIds, CancellationToken cancellationToken)
    {
        var shipping = await db.ReleaseEntries.AsNoTracking().Where(e => e.ModuleId == moduleId && versionIds.Contains(e.ModelVersionId))
            .Select(e => new { e.ReleaseId, e.ModelVersionId }).ToListAsync(cancellationToken);
        var releaseIds = shipping.Select(e => e.ReleaseId).ToList();
        var since = DateTimeOffset.UtcNow - Scorecard.OnlineWindow;
        var rows = await db.OnlineAggregates.AsNoTracking()
            .Where(a => a.ModuleId == moduleId && a.BucketSeconds == OnlineAggregate.HourSeconds && releaseIds.Contains(a.ReleaseId) && a.BucketStart >= since)
            .Select(a => new { a.ReleaseId, a.LatencyHistogram }).ToListAsync(cancellationToken);
        return shipping.GroupBy(e => e.ModelVersionId).ToDictionary(g => g.Key, g =>
        {
            var histogram = LatencyHistogram.Empty();
            var releases = g.Select(e => e.ReleaseId).ToHashSet();
            foreach (var row in rows.Where(r => releases.Contains(r.ReleaseId)))
            {
                LatencyHistogram.AddBytes(histogram, row.LatencyHistogram);
            }

            return LatencyHistogram.Percentile(histogram, 95);
        });
    }

    private static IQueryable<RequirementView> Views(QualityHubDbContext db, IQueryable<Requirement> requirements) =>
        requirements.AsNoTracking().Select(r => new RequirementView(
            r.Id, r.ModuleId, r.Version, r.OfflineP95Ms, r.OnlineP95Ms, r.AccuracyMetric, r.AccuracyThreshold, r.AccuracyDatasetId,
            db.Datasets.Where(d => d.Id == r.AccuracyDatasetId).Select(d => d.Name).FirstOrDefault(),
            r.TargetQps, r.ServingTarget, r.GpuModel, r.GpuMemoryGb, r.Cpu, r.BudgetPerMonth, r.Rationale, r.CreatedAt));
}
