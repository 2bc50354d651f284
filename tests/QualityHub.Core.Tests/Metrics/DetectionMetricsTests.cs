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

    private static ImageDetection ScoredAlone(DetectedItem image, DetectionSettings? settings = null) =>
        DetectionMetrics.Compute([image], new BootstrapSettings(50), settings).PerImage[0];

    [Fact]
    public void Pairs_are_made_highest_IoU_first_not_in_list_order()
    {
        // In list order (as ICDAR's script walks them) the first prediction, at IoU 0.6, would take the region.
        var image = ScoredAlone(Image([Truth(Strip(0, 10))], Found(Strip(0, 6)), Found(Strip(0, 9))));

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
        var image = ScoredAlone(Image([Truth(Strip(0, 10)), Truth(Strip(2.5f, 11.5f))], Found(Strip(0, 9)), Found(Strip(-2, 7))));

        Assert.Equal([(0, 0)], image.Matches.Select(m => (m.Truth, m.Prediction)));
        Assert.Equal([1], image.Missed);
        Assert.Equal([1], image.FalseAlarms);
        Assert.Equal((2, 2, 1), (image.TrueCount, image.PredictedCount, image.MatchedCount));
    }

    [Fact]
    public void The_IoU_threshold_is_inclusive_and_can_be_raised()
    {
        var halfCovered = Image([Truth(Strip(0, 10))], Found(Strip(0, 5)));

        Assert.Equal(1, ScoredAlone(halfCovered).MatchedCount);
        Assert.Equal(0, ScoredAlone(halfCovered, new DetectionSettings(IouThreshold: 0.6)).MatchedCount);
        Assert.Equal(1, ScoredAlone(halfCovered, new DetectionSettings(IouThreshold: 0.4)).MatchedCount);
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
        var image = ScoredAlone(Image([Truth(Strip(0, 10)), DontCare(Strip(1, 10))], Found(Strip(1, 10))));

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

    [Fact]
    public void On_random_rotated_rectangles_the_figures_agree_with_a_raster_IoU_and_a_brute_force_matching()
    {
        var random = new Random(2215);
        var scenes = Enumerable.Range(0, 50).Select(_ => RandomScene(random)).ToList();

        var report = DetectionMetrics.Compute([.. scenes.Select(s => s.Image)], new BootstrapSettings(200, 1));

        long matched = 0, predicted = 0, truths = 0;
        int overlapping = 0, contested = 0, ignored = 0, missed = 0, falseAlarms = 0;
        for (var i = 0; i < scenes.Count; i++)
        {
            var (image, trueRects, predictedRects) = scenes[i];
            var iou = new double[trueRects.Length, predictedRects.Length];
            for (var t = 0; t < trueRects.Length; t++)
            {
                for (var p = 0; p < predictedRects.Length; p++)
                {
                    iou[t, p] = Polygons.Iou(image.Truths[t].Quad, image.Predictions[p].Quad);
                    var raster = RasterIou(trueRects[t], predictedRects[p]);
                    Assert.True(Math.Abs(iou[t, p] - raster) <= 2e-3, $"image {i}, truth {t}, prediction {p}: IoU {iou[t, p]:F4}, by raster {raster:F4}");
                    overlapping += raster > 0 ? 1 : 0;
                }
            }

            // The IoUs are now known to within 2e-3 of an independent measure, and no pair lies within 0.03 of the
            // threshold (RandomScene sees to it), so the pairs that pass are certain; the matching is found by search.
            var expected = StableMatching(iou, 0.5);
            var actual = report.PerImage[i];
            Assert.Equal(expected.Order(), actual.Matches.Concat(actual.Ignored).Select(m => (m.Truth, m.Prediction)).Order());

            var dontCare = expected.Count(m => image.Truths[m.Truth].DontCare);
            var counts = (Truths: image.Truths.Count(t => !t.DontCare), Predicted: predictedRects.Length - dontCare, Matched: expected.Count - dontCare);
            Assert.Equal(counts, (actual.TrueCount, actual.PredictedCount, actual.MatchedCount));
            (truths, predicted, matched) = (truths + counts.Truths, predicted + counts.Predicted, matched + counts.Matched);
            var candidates = Enumerable.Range(0, trueRects.Length).SelectMany(t => Enumerable.Range(0, predictedRects.Length).Where(p => iou[t, p] >= 0.5).Select(p => (t, p))).ToList();
            contested += candidates.GroupBy(c => c.t).Any(g => g.Count() > 1) || candidates.GroupBy(c => c.p).Any(g => g.Count() > 1) ? 1 : 0;
            (ignored, missed, falseAlarms) = (ignored + dontCare, missed + actual.Missed.Count, falseAlarms + actual.FalseAlarms.Count);
        }

        var (precision, recall) = (matched / (double)predicted, matched / (double)truths);
        Assert.Equal(precision, report.Precision.Value, precision: 12);
        Assert.Equal(recall, report.Recall.Value, precision: 12);
        Assert.Equal(2 * precision * recall / (precision + recall), report.HMean.Value, precision: 12);
        Assert.Equal((truths, predicted, matched), (report.TrueCount, report.PredictedCount, (long)report.MatchedCount));

        // The scenes hold every case: overlaps, regions wanted by two partners, don't-care matches, misses, false alarms.
        Assert.True(overlapping > 100 && contested >= 5 && ignored > 0 && missed > 10 && falseAlarms > 10, $"{(overlapping, contested, ignored, missed, falseAlarms)}");
    }

    // A rectangle w × h centred on (cx, cy), turned by angle (radians) about its centre.
    private sealed record Rect(double Cx, double Cy, double W, double H, double Angle)
    {
        public bool Contains(double x, double y)
        {
            var (dx, dy) = (x - Cx, y - Cy);
            var (u, v) = ((dx * Math.Cos(Angle)) + (dy * Math.Sin(Angle)), (dy * Math.Cos(Angle)) - (dx * Math.Sin(Angle)));
            return Math.Abs(u) <= W / 2 && Math.Abs(v) <= H / 2;
        }

        public (double MinX, double MinY, double MaxX, double MaxY) Bounds()
        {
            var ex = (Math.Abs(W * Math.Cos(Angle)) + Math.Abs(H * Math.Sin(Angle))) / 2;
            var ey = (Math.Abs(W * Math.Sin(Angle)) + Math.Abs(H * Math.Cos(Angle))) / 2;
            return (Cx - ex, Cy - ey, Cx + ex, Cy + ey);
        }

        // The corners in either winding, starting at any of them.
        public Quad ToQuad(Random random)
        {
            var corners = new[] { (-1, -1), (1, -1), (1, 1), (-1, 1) }
                .Select(c => (X: c.Item1 * W / 2, Y: c.Item2 * H / 2))
                .Select(c => ((float)(Cx + (c.X * Math.Cos(Angle)) - (c.Y * Math.Sin(Angle))), (float)(Cy + (c.X * Math.Sin(Angle)) + (c.Y * Math.Cos(Angle)))))
                .ToList();
            var start = random.Next(4);
            corners = [.. corners.Skip(start), .. corners.Take(start)];
            if (random.Next(2) == 0)
            {
                corners.Reverse();
            }

            return Quad.Of([.. corners.SelectMany(c => new[] { c.Item1, c.Item2 })]);
        }
    }

    // Shared area by counting the centres of a 400 × 400 grid over the overlap of the bounding boxes that fall in both
    // rectangles; the areas are w · h. Independent of Polygons: no corners, no clipping.
    private static double RasterIou(Rect a, Rect b)
    {
        var (ba, bb) = (a.Bounds(), b.Bounds());
        var (x0, y0, x1, y1) = (Math.Max(ba.MinX, bb.MinX), Math.Max(ba.MinY, bb.MinY), Math.Min(ba.MaxX, bb.MaxX), Math.Min(ba.MaxY, bb.MaxY));
        if (x0 >= x1 || y0 >= y1)
        {
            return 0;
        }

        const int Steps = 400;
        var (dx, dy) = ((x1 - x0) / Steps, (y1 - y0) / Steps);
        var inside = 0;
        for (var i = 0; i < Steps; i++)
        {
            for (var j = 0; j < Steps; j++)
            {
                var (x, y) = (x0 + ((i + 0.5) * dx), y0 + ((j + 0.5) * dy));
                inside += a.Contains(x, y) && b.Contains(x, y) ? 1 : 0;
            }
        }

        var shared = inside * dx * dy;
        return shared / ((a.W * a.H) + (b.W * b.H) - shared);
    }

    // Up to five text regions in a 200 × 200 image, some crowded together, some don't-care; a detector that finds most of
    // them (some twice, slightly off) and adds a few of its own; at most seven predictions. Drawn again while any pair's
    // IoU lies within 0.03 of 0.5 or two pairs that could compete have IoUs within 1e-3 of each other.
    private static (DetectedItem Image, Rect[] Truths, Rect[] Predictions) RandomScene(Random random)
    {
        double Uniform(double low, double high) => low + (random.NextDouble() * (high - low));
        Rect Anywhere() => new(Uniform(30, 170), Uniform(30, 170), Uniform(15, 60), Uniform(8, 25), Uniform(-0.8, 0.8));
        Rect Near(Rect r, double shift, double scale, double turn) => new(
            r.Cx + Uniform(-shift, shift) * r.W, r.Cy + Uniform(-shift, shift) * r.H, r.W * Uniform(1 - scale, 1 + scale), r.H * Uniform(1 - scale, 1 + scale), r.Angle + Uniform(-turn, turn));

        while (true)
        {
            var truths = new List<Rect>();
            for (var k = random.Next(1, 6); k > 0; k--)
            {
                truths.Add(truths.Count > 0 && random.NextDouble() < 0.3 ? Near(truths[^1], 0.4, 0.2, 0.2) : Anywhere());
            }

            var predictions = new List<Rect>();
            foreach (var truth in truths)
            {
                for (var copy = 0; copy < 2 && random.NextDouble() < (copy == 0 ? 0.8 : 0.25); copy++)
                {
                    predictions.Add(Near(truth, 0.25, 0.3, 0.3));
                }
            }

            predictions.AddRange(Enumerable.Range(0, random.Next(3)).Select(_ => Anywhere()));
            predictions = [.. predictions.OrderBy(_ => random.Next()).Take(7)];
            var image = new DetectedItem(
                [.. truths.Select(t => new TrueRegion(t.ToQuad(random), DontCare: random.NextDouble() < 0.15))],
                [.. predictions.Select(p => new PredictedRegion(p.ToQuad(random), random.NextDouble()))]);
            var passing = new List<(int Truth, int Prediction, double Iou)>();
            var clear = true;
            for (var t = 0; t < truths.Count; t++)
            {
                for (var p = 0; p < predictions.Count; p++)
                {
                    var iou = Polygons.Iou(image.Truths[t].Quad, image.Predictions[p].Quad);
                    clear &= Math.Abs(iou - 0.5) >= 0.03;
                    if (iou >= 0.5)
                    {
                        passing.Add((t, p, iou));
                    }
                }
            }

            clear &= !passing.Any(a => passing.Any(b => a != b && (a.Truth == b.Truth || a.Prediction == b.Prediction) && Math.Abs(a.Iou - b.Iou) < 1e-3));
            if (clear)
            {
                return (image, [.. truths], [.. predictions]);
            }
        }
    }

    // Greedy matching by IoU found by search instead of sorting: of all one-to-one matchings among pairs at or above
    // the threshold, the one where no pair left out could be made by breaking only pairs of lower IoU (the greedy one
    // is that, and with distinct IoUs it is the only one).
    private static List<(int Truth, int Prediction)> StableMatching(double[,] iou, double threshold)
    {
        var pairs = new List<(int Truth, int Prediction)>();
        for (var t = 0; t < iou.GetLength(0); t++)
        {
            for (var p = 0; p < iou.GetLength(1); p++)
            {
                if (iou[t, p] >= threshold)
                {
                    pairs.Add((t, p));
                }
            }
        }

        var stable = new List<List<(int, int)>>();
        for (var subset = 0; subset < 1 << pairs.Count; subset++)
        {
            var chosen = pairs.Where((_, k) => (subset & (1 << k)) != 0).ToList();
            if (chosen.Select(c => c.Truth).Distinct().Count() != chosen.Count || chosen.Select(c => c.Prediction).Distinct().Count() != chosen.Count)
            {
                continue;
            }

            bool Beaten((int Truth, int Prediction) pair) => chosen.Any(c => (c.Truth == pair.Truth || c.Prediction == pair.Prediction) && iou[c.Truth, c.Prediction] > iou[pair.Truth, pair.Prediction]);
            if (pairs.Except(chosen).All(Beaten))
            {
                stable.Add([.. chosen]);
            }
        }

        return Assert.Single(stable);
    }
}
