using QualityHub.Core.Capacity;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;

namespace QualityHub.Core.Requirements;

/// <summary>How a candidate stands against one requirement.</summary>
public enum CheckOutcome
{
    Pass,
    Fail,
    NotMeasured,
}

/// <summary>The completed run a check reads, with what it measured.</summary>
public sealed record MeasuredRun(int RunId, string Dataset, RunMetrics Metrics);

/// <summary>What is known about one candidate: its latest run on the requirement's test set, its memory, online latency and open blockers.</summary>
/// <summary>What a candidate is checked on; <paramref name="TextRule"/> is its module's comparison rule now (for the "…UnderRule" targets).</summary>
public sealed record CandidateEvidence(MeasuredRun? Run, double ModelMemoryGb, double? OnlineP95Ms, int? OpenBlockers, TextComparison TextRule = TextComparison.Exact);

/// <summary>One row of a scorecard: the target, its definition, the outcome and the measured value with its interval and source.</summary>
public sealed record RequirementCheck(
    string Requirement, string Definition, string Target, CheckOutcome Outcome, double? Value, double? Low, double? High, int? RunId, string Detail);

/// <summary>Checks a candidate against every target of a requirement; a target without a measurement is "not measured", never a pass.</summary>
public static class Scorecard
{
    /// <summary>How far back online latency is read: the service's recent behaviour, not its whole history.</summary>
    public static readonly TimeSpan OnlineWindow = TimeSpan.FromDays(7);

    public static IReadOnlyList<RequirementCheck> Check(Requirement requirement, CandidateEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(evidence);
        var checks = new List<RequirementCheck>();
        var run = evidence.Run;

        if (RequirementRules.Metric(requirement.AccuracyMetric) is { } metric && requirement.AccuracyThreshold is { } threshold)
        {
            var target = $"{(metric.HigherIsBetter ? "≥" : "≤")} {threshold:0.####}";
            var definition = $"{metric.Title} on the test set, offline; the latest completed run of this version on it.";
            if (run is null)
            {
                checks.Add(new(metric.Title, definition, target, CheckOutcome.NotMeasured, null, null, null, null, "No completed run of this version on the requirement's test set."));
            }
            else if (ValueOf(run.Metrics, metric.Name, evidence.TextRule) is not { } estimate)
            {
                checks.Add(new(metric.Title, definition, target, CheckOutcome.NotMeasured, null, null, null, run.RunId,
                    $"Run {run.RunId} was not scored under the module's rule now ({TextComparisons.Describe(evidence.TextRule)}): evaluate this version again."));
            }
            else
            {
                var pass = metric.HigherIsBetter ? estimate.Value >= threshold : estimate.Value <= threshold;
                var noise = estimate.Low <= threshold && threshold <= estimate.High;
                checks.Add(new(metric.Title, definition, target, pass ? CheckOutcome.Pass : CheckOutcome.Fail, estimate.Value, estimate.Low, estimate.High, run.RunId,
                    noise ? "The 95 % interval contains the target: more test data would be needed to be sure." : $"Run {run.RunId} on {run.Dataset}."));
            }
        }

        if (requirement.OfflineP95Ms is { } offline)
        {
            const string definition = "Processing time, offline: one image at a time, from the encoded image to the final output (decode, pre-processing, model, post-processing); p95 over the run's timed inputs.";
            var target = $"≤ {offline:0.###} ms";
            var processing = run?.Metrics.ProcessingTime;
            if (processing is null)
            {
                checks.Add(new("Processing time p95", definition, target, CheckOutcome.NotMeasured, null, null, null, null,
                    run is null ? "No completed run of this version on the requirement's test set." : $"Run {run.RunId} was made before processing time was measured; run it again."));
            }
            else
            {
                var p95 = processing.P95Ms;
                var noise = p95.Low <= offline && offline <= p95.High;
                checks.Add(new("Processing time p95", definition, target, p95.Value <= offline ? CheckOutcome.Pass : CheckOutcome.Fail, p95.Value, p95.Low, p95.High, run!.RunId,
                    $"{processing.Samples} images timed one at a time in run {run.RunId}" + (noise ? "; the 95 % interval contains the target." : ".")));
            }
        }

        if (requirement.OnlineP95Ms is { } online)
        {
            const string definition = "Online processing time: capture to result on screen, p95 of the service's reported latency.";
            checks.Add(evidence.OnlineP95Ms is not { } measured
                ? new("Online p95", definition, $"≤ {online:0.###} ms", CheckOutcome.NotMeasured, null, null, null, null, $"No online events in the last {OnlineWindow.TotalDays:0} days from a release that ships this version.")
                : new("Online p95", definition, $"≤ {online:0.###} ms", measured <= online ? CheckOutcome.Pass : CheckOutcome.Fail, measured, null, null, null,
                    $"From the last {OnlineWindow.TotalDays:0} days of online events of the releases that ship this version (histogram bound ±11.3 %)."));
        }

        if (requirement.TargetQps is { } qps)
        {
            checks.Add(CheckQps(requirement, qps, evidence));
        }

        if (evidence.OpenBlockers is { } blockers)
        {
            checks.Add(new("Open blocker tickets", "VOC tickets of severity Blocker on this module that are not fixed, closed or won't fix.", "0",
                blockers == 0 ? CheckOutcome.Pass : CheckOutcome.Fail, blockers, null, null, null, blockers == 0 ? "None open." : $"{blockers} open."));
        }

        return checks;
    }

    private static RequirementCheck CheckQps(Requirement requirement, double qps, CandidateEvidence evidence)
    {
        var gpu = requirement.GpuMemoryGb;
        var definition = (gpu is { } memory ? $"One device of the stated hardware ({memory:0.##} GB GPU memory)" : "One device like the measuring one") +
            " serves the target: instances that fit (step-wise, by the session memory measured) × the QPS one instance serves one input at a time, at most what the device computed with batching.";
        var target = $"≥ {qps:0.##} QPS";
        if (evidence.Run is not { } run || CapacityMeasurement.Of(run.RunId, run.Metrics) is not { QpsPerInstance: { } perInstance } measured)
        {
            return new("Target QPS", definition, target, CheckOutcome.NotMeasured, null, null, null, null, "No completed run with a measured throughput.");
        }

        var modelGb = measured.SessionMemoryGb ?? Math.Max(evidence.ModelMemoryGb, 1e-9);
        var answer = CapacityPlanner.Plan(new CapacityQuestion(gpu ?? measured.DeviceMemoryGb ?? modelGb, modelGb, perInstance, qps, DeviceQpsCeiling: measured.DeviceQpsCeiling));
        if (answer.Limitation is { } limitation)
        {
            return new("Target QPS", definition, target, CheckOutcome.Fail, 0, null, null, run.RunId, limitation);
        }

        var perDevice = answer.QpsPerDevice!.Value;
        var memoryNote = measured.SessionMemoryGb is null ? " (memory not measured in that run: the file size stands in)" : "";
        return new("Target QPS", definition, target, perDevice >= qps ? CheckOutcome.Pass : CheckOutcome.Fail, perDevice, null, null, run.RunId,
            $"{answer.UsefulInstances ?? answer.InstancesPerDevice} busy of {answer.InstancesPerDevice} instance(s) that fit{memoryNote} × {perInstance:N0} QPS each, " +
            $"at most {measured.DeviceQpsCeiling:N0} QPS computed in run {run.RunId}: {perDevice:N0} QPS per device; the target takes {answer.DevicesNeeded} device(s).");
    }

    // A "…UnderRule" metric under the module's rule now: the raw one when the rule is exact, the run's own when it was
    // scored under that same rule, and nothing (not measured) when the rule has changed since.
    private static Estimate? ValueOf(RunMetrics metrics, string name, TextComparison rule)
    {
        var underRule = rule == TextComparison.Exact ? null : metrics.Text?.UnderRule is { } scores && scores.Rule == rule ? scores : null;
        var wantsRule = name.EndsWith("UnderRule", StringComparison.Ordinal);
        if (wantsRule && rule != TextComparison.Exact && underRule is null)
        {
            return null;
        }

        // A card reader's fields count under its module's rule; a run scored under another (or before the rule was kept) is not measured.
        var fields = metrics.Fields is { } scored && scored.Rule == rule ? scored : null;

        return name switch
        {
            "accuracy" => metrics.Classification?.Accuracy,
            "macroF1" => metrics.Classification?.MacroF1,
            "exactMatch" => metrics.Text?.ExactMatch,
            "characterErrorRate" => metrics.Text?.CharacterErrorRate,
            "normalizedEditDistance" => metrics.Text?.NormalizedEditDistance,
            "exactMatchUnderRule" => underRule?.ExactMatch ?? metrics.Text?.ExactMatch,
            "characterErrorRateUnderRule" => underRule?.CharacterErrorRate ?? metrics.Text?.CharacterErrorRate,
            "normalizedEditDistanceUnderRule" => underRule?.NormalizedEditDistance ?? metrics.Text?.NormalizedEditDistance,
            "cardsReadRight" => fields?.CardsReadRight,
            "numberExactMatch" => fields?.Fields.FirstOrDefault(f => f.Field == Pipelines.CardField.Number)?.ExactMatch,
            "expiryExactMatch" => fields?.Fields.FirstOrDefault(f => f.Field == Pipelines.CardField.Expiry)?.ExactMatch,
            "detectionHMean" => metrics.Detection?.HMean,
            _ => null,
        };
    }
}
