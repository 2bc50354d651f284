using System.Globalization;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;
using QualityHub.Core.Requirements;
using QualityHub.Data;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Online;
using QualityHub.Web.Features.Requirements;

namespace QualityHub.Web.Features.Releases;

/// <summary>A headline metric with its 95 % interval, named as the module's task names it.</summary>
public sealed record BoardHeadline(string Name, double Value, double Low, double High);

/// <summary>One stage of a pipeline's processing time per photo, in milliseconds.</summary>
public sealed record BoardStageTime(string Stage, double P50, double P95);

/// <summary>
/// Processing time (one input at a time, end to end) in milliseconds: p50, and p95 with its 95 % interval; for a
/// pipeline also each stage's (<see cref="Stages"/>; null for a module).
/// </summary>
public sealed record BoardProcessingTime(double P50, double P95, double P95Low, double P95High, int Samples, IReadOnlyList<BoardStageTime>? Stages = null)
{
    public static BoardProcessingTime? Of(RunMetrics? metrics) => metrics?.ProcessingTime is not { } time ? null
        : new BoardProcessingTime(time.P50Ms, time.P95Ms.Value, time.P95Ms.Low, time.P95Ms.High, time.Samples, StagesOf(metrics.PipelineStages));

    private static IReadOnlyList<BoardStageTime>? StagesOf(PipelineStageTimes? stages) => stages is null ? null :
    [
        new("decode", stages.Decode.P50Ms, stages.Decode.P95Ms), new("detect", stages.Detect.P50Ms, stages.Detect.P95Ms),
        new("rectify", stages.Rectify.P50Ms, stages.Rectify.P95Ms), new("recognise", stages.Recognise.P50Ms, stages.Recognise.P95Ms),
        new("parse", stages.Parse.P50Ms, stages.Parse.P95Ms),
    ];
}

/// <summary>How production did in service over the last <see cref="Days"/> days: events, the share users corrected, p95 latency in service.</summary>
public sealed record BoardOnline(int Days, long Events, double? CorrectionRate, double? P95Ms);

/// <summary>What serves a module now, measured the way its candidates are.</summary>
public sealed record BoardProduction(
    int ModelVersionId, string Version, int ReleaseId, string Release, DateTimeOffset Since, int? RunId, BoardHeadline? Headline,
    BoardProcessingTime? ProcessingTimeMs, double? ItemsPerSecond, BoardOnline Online);

/// <summary>
/// One candidate against production on the module's test set: its headline, the change with the paired test's
/// p-value and verdict, regressions and fixes, processing time and throughput, every requirement check, open
/// blockers, and whether it is ready to ship — with every reason when it is not.
/// </summary>
public sealed record BoardCandidate(
    int ModelVersionId, string Version, ModelStatus Status, int? RunId, BoardHeadline? Headline,
    double? Delta, double? PValue, bool Significant, string Verdict, string? Test, int Regressions, int Fixes, int? ProductionRunId,
    BoardProcessingTime? ProcessingTimeMs, double? ItemsPerSecond, IReadOnlyList<RequirementCheck> Checks, int Blockers,
    bool Ready, IReadOnlyList<string> Reasons);

/// <summary>One module on the board: its test set, its requirement's processing-time target, production and every candidate; Notes say what is missing.</summary>
public sealed record BoardModule(
    int ModuleId, string Module, TaskType TaskType, int? DatasetId, string? Dataset, int? RequirementVersion, double? ProcessingTimeTargetMs,
    BoardProduction? Production, IReadOnlyList<BoardCandidate> Candidates, IReadOnlyList<string> Notes);

/// <summary>The release board: per module, production and its candidates side by side.</summary>
public sealed record ReleaseBoardView(IReadOnlyList<BoardModule> Modules)
{
    public int Ready => Modules.Sum(m => m.Candidates.Count(c => c.Ready));
}

/// <summary>
/// Answers the quality manager's question — should this candidate replace what is in production? — for every module
/// at once. Every figure comes from the service the other pages use: runs from <see cref="MeasuringRuns"/>, the
/// change from <see cref="RunComparer"/>, checks from the requirement's scorecard, production from the release
/// history, online figures from the aggregates.
/// </summary>
public sealed class ReleaseBoard(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    MeasuringRuns measuring,
    RunComparer comparer,
    RequirementCatalog requirements,
    ReleaseDecisions decisions,
    OnlineMetrics online,
    TimeProvider clock)
{
    /// <summary>How far back production's online figures are read.</summary>
    public static readonly TimeSpan OnlineWindow = Scorecard.OnlineWindow;

    public async Task<ReleaseBoardView> GetAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var modules = await db.Modules.AsNoTracking().OrderBy(m => m.Name).Select(m => new { m.Id, m.Name, m.TaskType }).ToListAsync(cancellationToken);
        var versions = await db.ModelVersions.AsNoTracking().Where(v => v.Status != ModelStatus.Retired && v.Status != ModelStatus.Superseded)
            .Select(v => new { v.Id, v.ModuleId, v.Name, v.Status, v.CreatedAt }).ToListAsync(cancellationToken);
        var testSets = await measuring.TestSetsAsync(modules.Select(m => m.Id).ToList(), cancellationToken);
        var production = (await decisions.GetProductionHistoryAsync(cancellationToken)).Where(p => p.To is null).ToDictionary(p => p.ModuleId);
        var onlineTotals = await OnlineTotalsAsync(cancellationToken);

        var board = new List<BoardModule>();
        foreach (var module in modules.Where(m => versions.Any(v => v.ModuleId == m.Id)))
        {
            var headlineName = TaskTypes.HeadlineName(module.TaskType);
            var scorecard = await requirements.GetScorecardAsync(module.Id, cancellationToken);
            var requirement = scorecard?.Requirement;
            var testSet = testSets.GetValueOrDefault(module.Id);
            var serving = production.GetValueOrDefault(module.Id);
            var notes = new List<string>();
            if (requirement is null)
            {
                notes.Add("No requirement for this module: there is nothing to check candidates against. Planners set one on Requirements.");
            }
            else if (requirement.OfflineP95Ms is null)
            {
                notes.Add($"Requirement v{requirement.Version} sets no processing-time target: processing time is shown, not checked.");
            }

            if (testSet is null)
            {
                notes.Add("No test set: the module has no test-split dataset and its requirement names none, so nothing can be measured.");
            }
            else if (!testSet.NamedByRequirement && requirement is not null)
            {
                notes.Add($"Requirement v{requirement.Version} names no test set; measured on {testSet.Dataset}, the module's newest test set.");
            }

            if (serving is null)
            {
                notes.Add("Nothing of this module is in production yet: candidates are judged on the requirement alone.");
            }

            var moduleVersions = versions.Where(v => v.ModuleId == module.Id).ToList();
            var runs = testSet is null
                ? new Dictionary<int, MeasuringRun>()
                : await measuring.OfVersionsAsync(moduleVersions.Select(v => v.Id).Append(serving?.ModelVersionId ?? 0).Distinct().ToList(), testSet.DatasetId, cancellationToken);

            BoardProduction? productionView = null;
            if (serving is not null)
            {
                var run = runs.GetValueOrDefault(serving.ModelVersionId);
                var totals = onlineTotals.GetValueOrDefault((module.Id, serving.ReleaseId));
                productionView = new BoardProduction(
                    serving.ModelVersionId, serving.Version, serving.ReleaseId, serving.Release, serving.From, run?.RunId, Headline(run, headlineName),
                    BoardProcessingTime.Of(run?.Metrics), run?.Metrics.Throughput.BatchedItemsPerSecond,
                    new BoardOnline((int)OnlineWindow.TotalDays, totals?.Count ?? 0, totals?.CorrectionRate, totals?.P95));
            }

            var blockers = await requirements.OpenBlockersAsync(module.Id, cancellationToken);
            var candidates = new List<BoardCandidate>();
            foreach (var version in moduleVersions.Where(v => v.Id != serving?.ModelVersionId).OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id))
            {
                var checks = scorecard?.Candidates.FirstOrDefault(c => c.ModelVersionId == version.Id)?.Checks ?? [];
                candidates.Add(await CandidateAsync(
                    version.Id, version.Name, version.Status, runs.GetValueOrDefault(version.Id), headlineName, testSet, serving, productionView, checks, blockers,
                    requirement is not null, cancellationToken));
            }

            board.Add(new BoardModule(
                module.Id, module.Name, module.TaskType, testSet?.DatasetId, testSet?.Dataset, requirement?.Version, requirement?.OfflineP95Ms,
                productionView, candidates, notes));
        }

        return new ReleaseBoardView(board);
    }

    private async Task<BoardCandidate> CandidateAsync(
        int versionId, string version, ModelStatus status, MeasuringRun? run, string headlineName, ModuleTestSet? testSet, ProductionPeriodView? serving,
        BoardProduction? production, IReadOnlyList<RequirementCheck> checks, int blockers, bool hasRequirement, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        if (testSet is not null && run is null)
        {
            reasons.Add($"No completed run on {testSet.Dataset}: evaluate it there first.");
        }

        if (!hasRequirement)
        {
            reasons.Add("No requirement to check it against.");
        }

        foreach (var check in checks.Where(c => c.Outcome != CheckOutcome.Pass))
        {
            reasons.Add(check.Outcome == CheckOutcome.NotMeasured
                ? $"{check.Requirement} not measured: {check.Detail}"
                : $"{check.Requirement} fails: {Figure(check)} against {check.Target}.");
        }

        PairedResult? pair = null;
        if (run is not null && serving is not null)
        {
            if (production?.RunId is { } productionRun)
            {
                pair = (await comparer.CompareAsync([productionRun, run.RunId], cancellationToken)).Pairs[0];
                if (pair.Significant && pair.HeadlineDelta < 0)
                {
                    reasons.Add(string.Create(CultureInfo.InvariantCulture, $"Significantly worse than production {serving.Version}: {pair.HeadlineDelta * 100:+0.00;-0.00} points (p = {pair.PValue:0.####})."));
                }
            }
            else
            {
                reasons.Add($"Production {serving.Version} has no completed run on {testSet!.Dataset}: the change cannot be tested.");
            }
        }

        var verdict = pair?.Verdict ?? (serving is null ? "first version in production" : "not compared");
        return new BoardCandidate(
            versionId, version, status, run?.RunId, Headline(run, headlineName),
            pair?.HeadlineDelta, pair?.PValue, pair?.Significant ?? false, verdict, pair?.Test, pair?.Regressions ?? 0, pair?.Fixes ?? 0, production?.RunId,
            BoardProcessingTime.Of(run?.Metrics), run?.Metrics.Throughput.BatchedItemsPerSecond, checks, blockers,
            reasons.Count == 0, reasons);
    }

    private static BoardHeadline? Headline(MeasuringRun? run, string name) =>
        run?.Metrics.Headline is { } h ? new BoardHeadline(name, h.Value, h.Low, h.High) : null;

    private static string Figure(RequirementCheck check) => check.Value is not { } value
        ? "no value"
        : check.Requirement.Contains("p95", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0.###} ms")
            : check.Requirement == "Target QPS"
                ? string.Create(CultureInfo.InvariantCulture, $"{value:N0} QPS")
                : check.Requirement == ReleaseDecisions.BlockersRequirement
                    ? string.Create(CultureInfo.InvariantCulture, $"{value:0} open")
                    : string.Create(CultureInfo.InvariantCulture, $"{value:P2}");

    private async Task<Dictionary<(int Module, int Release), OnlineTotals>> OnlineTotalsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var totals = await online.GetWindowTotalsAsync(now - OnlineWindow, now, cancellationToken);
        return totals.ToDictionary(t => (t.ModuleId, t.ReleaseId), t => t.Totals);
    }
}
