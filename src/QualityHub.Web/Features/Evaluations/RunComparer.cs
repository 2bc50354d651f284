using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>
/// A run set against the baseline (the first run asked for) on the samples both answered. Test is "McNemar (…)" for
/// classifiers, "paired bootstrap of normalised edit distance" for recognisers, or why there is none; Regressions are
/// samples right in the baseline and wrong in this run, Fixes the reverse.
/// </summary>
public sealed record PairedResult(
    int BaselineRunId, int RunId, int CommonSamples, double? HeadlineDelta, double? ProcessingP95DeltaMs, string Test, double? PValue, bool Significant,
    int Regressions, int Fixes, string Verdict);

/// <summary>Two or more runs side by side.</summary>
public sealed record RunComparison(IReadOnlyList<RunDetail> Runs, IReadOnlyList<PairedResult> Pairs);

/// <summary>Compares runs: deltas of the headline metric and processing time p95, and whether a difference is real or noise.</summary>
public sealed class RunComparer(IDbContextFactory<QualityHubDbContext> contextFactory, EvaluationCatalog catalog)
{
    public const int MaxRuns = 8;

    public async Task<RunComparison> CompareAsync(IReadOnlyList<int> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count < 2 || ids.Count > MaxRuns)
        {
            throw new EvaluationException($"Compare between 2 and {MaxRuns} runs, not {ids.Count}.");
        }

        if (ids.Distinct().Count() != ids.Count)
        {
            throw new EvaluationException("Each run may appear once in ids.");
        }

        var runs = new List<RunDetail>();
        foreach (var id in ids)
        {
            runs.Add(await catalog.GetRunAsync(id, cancellationToken) ?? throw new EvaluationException($"There is no evaluation run {id}.", 404));
        }

        if (runs.Select(r => r.Summary.TaskType).Distinct().Count() > 1)
        {
            throw new EvaluationException("The runs are of different tasks (classification, text recognition, pipeline); compare runs of one task.");
        }

        var baseline = runs[0];
        var baselineOutcomes = await OutcomesAsync(baseline.Summary.Id, baseline.Summary.TaskType, cancellationToken);
        var pairs = new List<PairedResult>();
        foreach (var run in runs.Skip(1))
        {
            pairs.Add(await PairAsync(baseline, baselineOutcomes, run, cancellationToken));
        }

        return new RunComparison(runs, pairs);
    }

    private async Task<PairedResult> PairAsync(RunDetail baseline, IReadOnlyDictionary<long, Outcome> a, RunDetail run, CancellationToken cancellationToken)
    {
        double? headlineDelta = baseline.Metrics is { } ma && run.Metrics is { } mb ? mb.Headline.Value - ma.Headline.Value : null;
        double? latencyDelta = baseline.Metrics?.ProcessingTime is { } la && run.Metrics?.ProcessingTime is { } lb ? lb.P95Ms.Value - la.P95Ms.Value : null;
        if (baseline.Summary.DatasetId != run.Summary.DatasetId)
        {
            return new PairedResult(baseline.Summary.Id, run.Summary.Id, 0, headlineDelta, latencyDelta,
                "none: the runs are on different datasets", null, false, 0, 0, "not comparable sample by sample");
        }

        var b = await OutcomesAsync(run.Summary.Id, run.Summary.TaskType, cancellationToken);
        var common = a.Keys.Where(b.ContainsKey).OrderBy(k => k).ToList();
        var regressions = common.Count(k => a[k].Correct && !b[k].Correct);
        var fixes = common.Count(k => !a[k].Correct && b[k].Correct);
        if (common.Count == 0)
        {
            return new PairedResult(baseline.Summary.Id, run.Summary.Id, 0, headlineDelta, latencyDelta, "none: no sample answered by both", null, false, 0, 0, "no common samples");
        }

        if (run.Summary.TaskType == TaskType.TextRecognition)
        {
            var test = PairedTests.PairedBootstrap(common.Select(k => a[k].Distance).ToList(), common.Select(k => b[k].Distance).ToList());
            var verdict = !test.Significant ? "no real difference in edit distance (noise)"
                : test.Difference < 0 ? "real improvement: lower edit distance" : "real regression: higher edit distance";
            return new PairedResult(baseline.Summary.Id, run.Summary.Id, common.Count, headlineDelta, latencyDelta,
                "paired bootstrap of normalised edit distance", test.PValue, test.Significant, regressions, fixes, verdict);
        }

        var mcnemar = PairedTests.McNemar(common.Select(k => a[k].Correct).ToList(), common.Select(k => b[k].Correct).ToList());
        var said = !mcnemar.Significant ? "no real difference in accuracy (noise)"
            : mcnemar.OnlyB > mcnemar.OnlyA ? "real improvement in accuracy" : "real regression in accuracy";
        return new PairedResult(baseline.Summary.Id, run.Summary.Id, common.Count, headlineDelta, latencyDelta,
            $"McNemar ({mcnemar.Method})", mcnemar.PValue, mcnemar.Significant, regressions, fixes, said);
    }

    private sealed record Outcome(bool Correct, double Distance);

    // Each sample's outcome: right when the output is what the sample expects (a card photo: its digits and expiry).
    private async Task<IReadOnlyDictionary<long, Outcome>> OutcomesAsync(int runId, TaskType task, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Predictions.Where(p => p.EvaluationRunId == runId)
            .Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new { p.SampleId, p.Output, p.Error, s.GroundTruth })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(
            r => r.SampleId,
            r =>
            {
                var expected = TaskTypes.ExpectedOutput(task, r.GroundTruth);
                return new Outcome(r.Error is null && r.Output == expected, r.Error is null ? EditDistance.Normalized(r.Output ?? "", expected) : 1.0);
            });
    }
}
