using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class DetectionMetricsTests
{
    private static Quad Box(float x0, float y0, float x1, float y1) => Quad.Of(x0, y0, x1, y0, x1, y1, x0, y1);

    // Regions 10 high over [x0, x1]: the IoU of two strips is that of their intervals.
    private static Quad Strip(float x0, float x1) => Box(x0, 0, x1, 10);

    private static TrueRegion Truth(Quad quad) => new(quad);

    private static TrueRegion DontCare(Quad quad) => new(quad, DontCare: true);

    private static PredictedRegion Found(Quad quad, double score = 0.9) => new(quad, score);

    private static DetectedItem Image(TrueRegion[] truths, params PredictedRegion[] predictions) => new(truths, predictions);

    private static ImageDetection Single(DetectedItem image, DetectionSettings? settings = null) =>
        DetectionMetrics.Compute([image], new BootstrapSettings(50), settings).PerImage[0];

    [Fact]
    public void Pairs_are_made_highest_IoU_first_not_in_list_order()
    {
        // In list order (as ICDAR's script walks them) the first prediction, at IoU 0.6, would take the region.
        var image = Single(Image([Truth(Strip(0, 10))], Found(Strip(0, 6)), Found(Strip(0, 9))));

        var match = Assert.Single(image.Matches);
        Assert.Equal((0, 1), (match.Truth, match.Prediction));
        Assert.Equal(0.9, match.Iou, precision: 6);
        Assert.Equal([0], image.FalseAlarms);
        Assert.Equal((0.5, 1.0), (image.Precision, image.Recall));
    }

    [Fact]
    public void Greedy_matching_takes_the_best_pair_even_when_that_costs_a_match()
    {
        // IoU: truth 0 – prediction 0 is 0.9, truth 0 – prediction 1 is 7/12, truth 1 – prediction 0 is 6.5/11.5,
        // truth 1 – prediction 1 is 1/3. An assignment would pair 0–1 and 1–0 for two matches; greedy takes 0–0 first.
        var image = Single(Image([Truth(Strip(0, 10)), Truth(Strip(2.5f, 11.5f))], Found(Strip(0, 9)), Found(Strip(-2, 7))));

        Assert.Equal([(0, 0)], image.Matches.Select(m => (m.Truth, m.Prediction)));
        Assert.Equal([1], image.Missed);
        Assert.Equal([1], image.FalseAlarms);
        Assert.Equal((2, 2, 1), (image.TrueCount, image.PredictedCount, image.MatchedCount));
    }

    [Fact]
    public void The_IoU_threshold_is_inclusive_and_can_be_raised()
    {
        var halfCovered = Image([Truth(Strip(0, 10))], Found(Strip(0, 5)));

        Assert.Equal(1, Single(halfCovered).MatchedCount);
        Assert.Equal(0, Single(halfCovered, new DetectionSettings(IouThreshold: 0.6)).MatchedCount);
        Assert.Equal(1, Single(halfCovered, new DetectionSettings(IouThreshold: 0.4)).MatchedCount);
    }

    [Fact]
    public void A_prediction_on_a_dont_care_region_is_ignored_and_an_unfound_one_is_not_a_miss()
    {
        var report = DetectionMetrics.Compute(
        [
            Image([Truth(Strip(0, 10)), DontCare(Box(20, 0, 30, 10))], Found(Strip(0, 10)), Found(Box(21, 0, 30, 10)), Found(Box(50, 0, 60, 10))),
            Image([Truth(Strip(0, 10)), DontCare(Box(20, 0, 30, 10))], Found(Strip(1, 10))),
        ]);

        var first = report.PerImage[0];
        Assert.Equal((1, 2, 1), (first.TrueCount, first.PredictedCount, first.MatchedCount));
        Assert.Equal([(1, 1)], first.Ignored.Select(m => (m.Truth, m.Prediction)));
        Assert.Equal([2], first.FalseAlarms);
        Assert.Empty(first.Missed);
        var second = report.PerImage[1];
        Assert.Equal((1, 1, 1), (second.TrueCount, second.PredictedCount, second.MatchedCount));
        Assert.Empty(second.Missed);
        Assert.Equal((2, 3, 2, 1), (report.TrueCount, report.PredictedCount, report.MatchedCount, report.IgnoredCount));
        Assert.Equal(2.0 / 3, report.Precision.Value, precision: 12);
        Assert.Equal(1, report.Recall.Value);
    }

    [Fact]
    public void A_prediction_that_fits_a_dont_care_region_best_goes_to_it_and_leaves_the_region_that_counts_missed()
    {
        // IoU 0.9 with the region that counts, 1 with the don't-care region inside it.
        var image = Single(Image([Truth(Strip(0, 10)), DontCare(Strip(1, 10))], Found(Strip(1, 10))));

        Assert.Empty(image.Matches);
        Assert.Equal([1], image.Ignored.Select(m => m.Truth));
        Assert.Equal([0], image.Missed);
        Assert.Equal((1, 0, 0), (image.TrueCount, image.PredictedCount, image.MatchedCount));
    }

    [Fact]
    public void Zero_denominators_follow_ICDARs_rule_for_one_image_applied_to_the_pooled_counts()
    {
        static (double, double, double) Scores(params DetectedItem[] images)
        {
            var report = DetectionMetrics.Compute(images);
            return (report.Precision.Value, report.Recall.Value, report.HMean.Value);
        }

        var blank = Image([]);
        var text = Image([Truth(Strip(0, 10))]);
        var falseAlarm = Image([], Found(Strip(0, 10)));
        var onDontCare = Image([DontCare(Strip(0, 10))], Found(Strip(0, 10)));

        Assert.Equal((1.0, 1.0, 1.0), Scores(blank, blank));   // nothing to find, nothing claimed
        Assert.Equal((1.0, 1.0, 1.0), Scores(onDontCare));     // the only claim is ignored
        Assert.Equal((1.0, 1.0, 1.0), Scores());               // no images pool to the same 0/0
        Assert.Equal((0.0, 0.0, 0.0), Scores(text, blank));    // a silent detector is not precise where there is text
        Assert.Equal((0.0, 1.0, 0.0), Scores(falseAlarm));     // nothing missed, every claim wrong
    }

    [Fact]
    public void Figures_pool_the_counts_of_all_images_rather_than_averaging_the_images()
    {
        var nine = Enumerable.Range(0, 9).Select(k => Truth(Strip(20 * k, (20 * k) + 10))).ToArray();
        var report = DetectionMetrics.Compute([Image([Truth(Strip(0, 10))], Found(Strip(0, 10))), Image(nine)]);

        // Averaging the two images would give precision (1 + 0)/2 and recall (1 + 0)/2.
        Assert.Equal(1, report.Precision.Value);
        Assert.Equal(0.1, report.Recall.Value, precision: 12);
        Assert.Equal(2 * 0.1 / 1.1, report.HMean.Value, precision: 12);
        Assert.Equal((0.0, 0.0), (report.PerImage[1].Precision, report.PerImage[1].Recall));
    }

    [Fact]
    public void Intervals_resample_images_and_match_the_normal_approximation_for_independent_finds()
    {
        // 400 images of four regions each; each region is found with probability 0.75, independently.
        var random = new Random(5);
        var images = Enumerable.Range(0, 400).Select(_ =>
        {
            var truths = Enumerable.Range(0, 4).Select(k => Strip(20 * k, (20 * k) + 10)).ToArray();
            var found = truths.Where(_ => random.NextDouble() < 0.75).Select(q => Found(q));
            var falseAlarm = random.NextDouble() < 0.3 ? [Found(Strip(500, 510))] : Array.Empty<PredictedRegion>();
            return Image([.. truths.Select(Truth)], [.. found, .. falseAlarm]);
        }).ToList();

        var report = DetectionMetrics.Compute(images, new BootstrapSettings(2000, 7));
        var again = DetectionMetrics.Compute(images, new BootstrapSettings(2000, 7));

        var recall = (double)report.MatchedCount / 1600;
        var wald = 2 * 1.96 * Math.Sqrt(recall * (1 - recall) / 1600);
        Assert.Equal(recall, report.Recall.Value, precision: 12);
        Assert.InRange(recall, 0.72, 0.78);
        Assert.InRange(report.Recall.High - report.Recall.Low, 0.85 * wald, 1.15 * wald);
        foreach (var estimate in new[] { report.Precision, report.Recall, report.HMean })
        {
            Assert.True(estimate.Low < estimate.Value && estimate.Value < estimate.High, $"{estimate} should hold its value strictly inside");
        }

        Assert.Equal((report.Precision, report.Recall, report.HMean), (again.Precision, again.Recall, again.HMean));
    }

    [Fact]
    public void Predictions_over_the_cap_are_the_lowest_scoring_dropped_and_reported_per_image()
    {
        // 1,005 predictions: the right one, then 1,004 boxes far from the text, all scored 0.5.
        PredictedRegion[] Answer(double rightScore) =>
            [Found(Strip(0, 10), rightScore), .. Enumerable.Range(0, 1004).Select(k => Found(Box(100 + k, 100, 100.5f + k, 100.5f), 0.5))];
        var small = Image([Truth(Strip(0, 10))], Found(Strip(0, 10)));

        var unsure = DetectionMetrics.Compute([small, Image([Truth(Strip(0, 10))], Answer(0.01))]);
        var sure = DetectionMetrics.Compute([small, Image([Truth(Strip(0, 10))], Answer(0.99))]);

        Assert.Equal([new CappedImage(1, 1005, 5)], unsure.Capped);
        var dropped = unsure.PerImage[1];
        Assert.Equal((5, 1000, 0), (dropped.Dropped, dropped.PredictedCount, dropped.MatchedCount));
        Assert.DoesNotContain(0, dropped.FalseAlarms);
        Assert.Equal(0, unsure.PerImage[0].Dropped);
        var kept = sure.PerImage[1];
        Assert.Equal((5, 1000, 1), (kept.Dropped, kept.PredictedCount, kept.MatchedCount));
        // Of the boxes tied at 0.5 the first ones are kept: predictions 1000–1004 are the ones dropped.
        Assert.Equal(Enumerable.Range(1, 999), kept.FalseAlarms);
        var settings = new DetectionSettings(MaxPredictionsPerImage: 1);
        Assert.Empty(DetectionMetrics.Compute([small], settings: settings).Capped);
        Assert.Equal([new CappedImage(0, 2, 1)], DetectionMetrics.Compute([Image([], Found(Strip(0, 10), 0.2), Found(Strip(0, 10), 0.3))], settings: settings).Capped);
    }

    [Theory]
    [InlineData("nan", "Image 1, predicted region 1: point 2 is (NaN, 5); coordinates must be finite numbers.")]
    [InlineData("infinite", "Image 1, true region 1: point 0 is (Infinity, 0); coordinates must be finite numbers.")]
    [InlineData("three", "Image 1, true region 1: a quad has 4 points, not 3.")]
    [InlineData("five", "Image 1, predicted region 1: a quad has 4 points, not 5.")]
    [InlineData("missing", "Image 1, predicted region 1: no quad was given.")]
    [InlineData("score", "Image 1, predicted region 1: the score is NaN.")]
    public void A_bad_region_is_refused_naming_its_image_and_region(string defect, string message)
    {
        var truth = defect switch
        {
            "infinite" => Truth(Quad.Of(float.PositiveInfinity, 0, 10, 0, 10, 10, 0, 10)),
            "three" => Truth(Quad.Of(0, 0, 10, 0, 10, 10)),
            _ => Truth(Strip(20, 30)),
        };
        var prediction = defect switch
        {
            "nan" => Found(Quad.Of(0, 0, 10, 0, float.NaN, 5, 0, 10)),
            "five" => Found(Quad.Of(0, 0, 10, 0, 10, 10, 0, 10, 5, 5)),
            "missing" => new PredictedRegion(null!, 0.5),
            "score" => Found(Strip(0, 10), double.NaN),
            _ => Found(Strip(20, 30)),
        };
        var good = Image([Truth(Strip(0, 10))], Found(Strip(0, 10)));

        var error = Assert.Throws<ArgumentException>(() => DetectionMetrics.Compute([good, Image([Truth(Strip(0, 10)), truth], Found(Strip(0, 10)), prediction)]));

        Assert.StartsWith(message, error.Message);
    }

    [Theory]
    [InlineData(0.0, 1000)]
    [InlineData(1.5, 1000)]
    [InlineData(double.NaN, 1000)]
    [InlineData(0.5, 0)]
    public void Settings_out_of_range_are_refused(double threshold, int cap) =>
        Assert.Throws<ArgumentException>(() => DetectionMetrics.Compute([], settings: new DetectionSettings(threshold, cap)));
}
