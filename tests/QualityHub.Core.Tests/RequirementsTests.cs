using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Core.Requirements;

namespace QualityHub.Core.Tests;

public class RequirementsTests
{
    private static Requirement Valid() => new()
    {
        ModuleId = 1,
        OfflineP95Ms = 5,
        AccuracyMetric = "accuracy",
        AccuracyThreshold = 0.9,
        AccuracyDatasetId = 3,
        TargetQps = 500,
        Rationale = "Checkout must feel instant.",
    };

    [Fact]
    public void A_complete_requirement_has_no_problems() =>
        Assert.Empty(RequirementRules.Problems(Valid(), TaskType.ImageClassification));

    [Theory]
    [InlineData("offlineP95Ms")]
    [InlineData("onlineP95Ms")]
    [InlineData("targetQps")]
    [InlineData("gpuMemoryGb")]
    public void Negative_targets_are_refused_by_field(string field)
    {
        var r = Valid();
        switch (field)
        {
            case "offlineP95Ms": r.OfflineP95Ms = -1; break;
            case "onlineP95Ms": r.OnlineP95Ms = double.NaN; break;
            case "targetQps": r.TargetQps = -3; break;
            case "gpuMemoryGb": r.GpuMemoryGb = -8; break;
        }

        Assert.Contains(RequirementRules.Problems(r, TaskType.ImageClassification), p => p.Field == field);
    }

    [Fact]
    public void Impossible_or_meaningless_accuracy_targets_are_refused()
    {
        var above = Valid();
        above.AccuracyThreshold = 1.2;
        var trivial = Valid();
        trivial.AccuracyThreshold = 0;
        var wrongTask = Valid();
        wrongTask.AccuracyMetric = "characterErrorRate";
        var unknown = Valid();
        unknown.AccuracyMetric = "vibes";
        var noDataset = Valid();
        noDataset.AccuracyDatasetId = null;

        Assert.Contains(RequirementRules.Problems(above, TaskType.ImageClassification), p => p.Field == "accuracyThreshold");
        Assert.Contains(RequirementRules.Problems(trivial, TaskType.ImageClassification), p => p.Message.Contains("checks nothing"));
        Assert.Contains(RequirementRules.Problems(wrongTask, TaskType.ImageClassification), p => p.Message.Contains("TextRecognition metric"));
        Assert.Contains(RequirementRules.Problems(unknown, TaskType.ImageClassification), p => p.Message.Contains("accuracy, macroF1"));
        Assert.Contains(RequirementRules.Problems(noDataset, TaskType.ImageClassification), p => p.Field == "accuracyDatasetId");
    }

    [Fact]
    public void A_requirement_without_targets_or_reason_is_refused()
    {
        var empty = new Requirement { ModuleId = 1 };

        var problems = RequirementRules.Problems(empty, TaskType.ImageClassification);

        Assert.Contains(problems, p => p.Field == "rationale");
        Assert.Contains(problems, p => p.Field == "requirement");
    }

    [Fact]
    public void Gpu_memory_on_a_serving_target_without_a_gpu_is_refused()
    {
        var r = Valid();
        r.ServingTarget = ServingTarget.Mobile;
        r.GpuMemoryGb = 8;

        Assert.Contains(RequirementRules.Problems(r, TaskType.ImageClassification), p => p.Message.Contains("has no GPU"));
    }

    internal static RunMetrics Metrics(double accuracy, double low, double high, double processingP95, double itemsPerSecond, double processingP50 = 1)
    {
        var latency = new LatencySummary(64, 1, 1, processingP95, processingP95, processingP95);
        var processing = new ProcessingTime(64, processingP50, processingP50, new Estimate(processingP95, processingP95 * 0.9, processingP95 * 1.1), processingP95, processingP95, 100,
            new ProcessingStages(0.1, 0.1, 0.5, 0.1), new Histogram(0, 1, []));
        var classification = new ClassificationReport(100, 0, new Estimate(accuracy, low, high), [], [], new Estimate(0.8, 0.7, 0.9), 0.8,
            new ConfusionMatrix([], [], []), new Calibration(0, []), []);
        return new RunMetrics("ImageClassification", 100, 0, new Estimate(accuracy, low, high), latency, new StageLatency(latency, latency, latency, latency),
            new RunThroughput(100, itemsPerSecond, 32, 32), new Histogram(0, 1, []), classification, null, processing);
    }

    [Fact]
    public void A_candidate_passes_or_fails_each_target_with_its_measurement_and_run()
    {
        var r = Valid();
        r.GpuMemoryGb = 10;
        var evidence = new CandidateEvidence(new MeasuredRun(7, "test", Metrics(0.91, 0.89, 0.93, 6, 600, processingP50: 1000 / 300.0)), ModelMemoryGb: 5, OnlineP95Ms: null, OpenBlockers: 1);

        var checks = Scorecard.Check(r, evidence).ToDictionary(c => c.Requirement);

        Assert.Equal(CheckOutcome.Pass, checks["Accuracy"].Outcome);
        Assert.Equal((0.91, 0.89, 0.93, 7), (checks["Accuracy"].Value!.Value, checks["Accuracy"].Low!.Value, checks["Accuracy"].High!.Value, checks["Accuracy"].RunId!.Value));
        Assert.Contains("interval contains the target", checks["Accuracy"].Detail);
        Assert.Equal(CheckOutcome.Fail, checks["Processing time p95"].Outcome); // 6 ms measured, 5 ms allowed
        // 2 instances × 300 QPS (one input at a time, 1000 / 3.33 ms) = 600, within the 600 the device computed batching: ≥ 500.
        Assert.Equal(CheckOutcome.Pass, checks["Target QPS"].Outcome);
        Assert.Equal(600, checks["Target QPS"].Value!.Value, 9);
        Assert.Equal(CheckOutcome.Fail, checks["Open blocker tickets"].Outcome);
    }

    [Fact]
    public void A_target_under_the_modules_rule_uses_the_run_scored_under_that_rule_and_says_when_it_was_not()
    {
        var r = Valid();
        (r.AccuracyMetric, r.AccuracyThreshold, r.OfflineP95Ms, r.TargetQps) = ("exactMatchUnderRule", 0.5, null, null);
        RecognizedItem[] items = [new("4111 1111", "4111-1111", []), new("0000", "0001", [])];
        var metrics = Metrics(0.9, 0.8, 0.95, 5, 100) with { Classification = null, Text = TextRecognitionMetrics.Compute(items, rule: TextComparison.IgnoreSeparators | TextComparison.IgnoreSpaces) };
        var run = new MeasuredRun(9, "card-text-test", metrics);
        RequirementCheck Of(TextComparison rule, string metric = "exactMatchUnderRule")
        {
            r.AccuracyMetric = metric;
            return Scorecard.Check(r, new CandidateEvidence(run, 1, null, null, rule)).Single(c => c.Requirement == RequirementRules.Metric(metric)!.Title);
        }

        var underRule = Of(TextComparison.IgnoreSeparators | TextComparison.IgnoreSpaces);
        Assert.Equal((CheckOutcome.Pass, 0.5), (underRule.Outcome, underRule.Value!.Value));
        Assert.Equal((CheckOutcome.Fail, 0.0), (Of(TextComparison.IgnoreSeparators | TextComparison.IgnoreSpaces, "exactMatch").Outcome, Of(TextComparison.IgnoreSeparators | TextComparison.IgnoreSpaces, "exactMatch").Value!.Value));
        var changed = Of(TextComparison.IgnoreCase); // the rule changed after the run
        Assert.Equal(CheckOutcome.NotMeasured, changed.Outcome);
        Assert.Contains("evaluate this version again", changed.Detail);
        Assert.Equal((CheckOutcome.Fail, 0.0), (Of(TextComparison.Exact).Outcome, Of(TextComparison.Exact).Value!.Value)); // exact: the raw score
    }

    [Fact]
    public void A_pipeline_is_held_to_its_end_to_end_figures_and_a_pipeline_target_is_refused_for_a_model()
    {
        var r = Valid();
        (r.AccuracyMetric, r.AccuracyThreshold, r.TargetQps) = ("cardsReadRight", 0.9, null);
        var truth = new Core.Pipelines.CardTruth("4111 1111 1111 1111", "01/28", [
            new Core.Pipelines.TrueLine("number", "4111 1111 1111 1111", Quad.Of(0, 0, 100, 0, 100, 10, 0, 10)),
            new Core.Pipelines.TrueLine("expiry", "01/28", Quad.Of(0, 20, 30, 20, 30, 30, 0, 30))]);
        Core.Pipelines.CardReadOutput Read(string number) => new(number, true, "01/28",
            [new([0, 0, 100, 0, 100, 10, 0, 10], 0.9, number, 0.9), new([0, 20, 30, 20, 30, 30, 0, 30], 0.9, "01/28", 0.9)], 2,
            new Core.Pipelines.StageMilliseconds(1, 40, 1, 20, 0.1), number, "01/28");
        var report = Core.Pipelines.PipelineMetrics.Compute([new(truth, Read("4111111111111111")), new(truth, Read("4111111111111112")), new(truth, Read("4111111111111111"))]);
        var metrics = Metrics(0, 0, 0, 3, 100) with { Task = "Pipeline", Classification = null, Fields = report.Fields, Detection = report.Detection, Blame = report.Blame };

        var run = new MeasuredRun(3, "card-photos-test", metrics);

        var checks = Scorecard.Check(r, new CandidateEvidence(run, 1, null, null, TextComparison.IgnoreSpaces)).ToDictionary(c => c.Requirement);
        var otherRule = Scorecard.Check(r, new CandidateEvidence(run, 1, null, null, TextComparison.Exact)).Single(c => c.Requirement == "Cards read right");
        var beforeRules = Scorecard.Check(r, new CandidateEvidence(run with { Metrics = metrics with { Fields = report.Fields with { Rule = null } } }, 1, null, null, TextComparison.IgnoreSpaces))
            .Single(c => c.Requirement == "Cards read right");

        Assert.Equal((CheckOutcome.Fail, 2 / 3.0), (checks["Cards read right"].Outcome, checks["Cards read right"].Value!.Value));
        Assert.Equal(CheckOutcome.NotMeasured, otherRule.Outcome); // the fields were scored without spaces; the module now compares them as printed
        Assert.Contains("not scored under the module's rule now (exact)", otherRule.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.NotMeasured, beforeRules.Outcome);
        r.AccuracyMetric = "detectionHMean";
        Assert.Equal(1, Scorecard.Check(r, new CandidateEvidence(run, 1, null, null)).Single(c => c.Requirement == "Text detection H-mean").Value!.Value, 12);
        Assert.Contains(RequirementRules.Problems(r, TaskType.ImageClassification), p => p.Field == "accuracyMetric" && p.Message.Contains("Pipeline", StringComparison.Ordinal));
        Assert.Empty(RequirementRules.Problems(r, TaskType.Pipeline));
    }

    [Fact]
    public void Without_a_run_every_measured_target_is_not_measured_never_a_pass()
    {
        var r = Valid();
        r.OnlineP95Ms = 50;

        var checks = Scorecard.Check(r, new CandidateEvidence(null, 1, null, null));

        Assert.All(checks, c => Assert.Equal(CheckOutcome.NotMeasured, c.Outcome));
        Assert.Equal(["Accuracy", "Processing time p95", "Online p95", "Target QPS"], checks.Select(c => c.Requirement));
    }
}
