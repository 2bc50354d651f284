using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;

namespace QualityHub.Core.Tests.Pipelines;

public sealed class PipelineMetricsTests
{
    private static readonly BootstrapSettings Resamples = new(Resamples: 200);

    private sealed record Box(float Left, float Top, float Right, float Bottom)
    {
        public Quad Quad => Quad.Of(Left, Top, Right, Top, Right, Bottom, Left, Bottom);

        public float[] Points => [Left, Top, Right, Top, Right, Bottom, Left, Bottom];

        public double Area => (double)(Right - Left) * (Bottom - Top);
    }

    private sealed record Line(string Role, string Text, Box Box);

    private sealed record Region(Box Box, string Text, double Score);

    private sealed record Synthetic(string Number, string Expiry, Line[] Lines, Region[] Regions, int RegionsFound, CardFields Fields, StageMilliseconds Times, string? AloneNumber, string? AloneExpiry)
    {
        public CardTruth Truth => new(Number, Expiry, [.. Lines.Select(l => new TrueLine(l.Role, l.Text, l.Box.Quad))]);

        public CardReadOutput Output => new(
            Fields.Number, Fields.NumberPassesLuhn, Fields.Expiry,
            [.. Regions.Select(r => new StoredRegion(r.Box.Points, r.Score, r.Text, 0.9))],
            RegionsFound, Times, AloneNumber, AloneExpiry);
    }

    private static readonly Box NumberLine = new(20, 100, 220, 120);
    private static readonly Box ExpiryLine = new(120, 140, 170, 152);

    private static CardFields Parsed(string number, string expiry) => new(number, number.Length > 0 && CardFieldParser.Luhn(number), expiry);

    // Everything right: three lines found, one false alarm.
    private static readonly Synthetic Right = new(
        "4539 1488 0343 6467", "07/29",
        [new("number", "4539 1488 0343 6467", NumberLine), new("expiry", "07/29", ExpiryLine), new("name", "JANE DOE", new(20, 160, 120, 175))],
        [
            new(NumberLine, "4539 1488 0343 6467", 0.98), new(new(121, 140, 170, 152), "07/29", 0.95),
            new(new(20, 161, 120, 175), "JANE DOE", 0.9), new(new(300, 20, 360, 40), "VISA", 0.6),
        ],
        4, Parsed("4539148803436467", "07/29"), new(2, 30, 1, 12, 0.5), "45391488 0343 6467", "07/29");

    // The number line only 90 of its 200 columns covered: missed (IoU 0.45) and the detector's to blame; 7 regions found, 3 kept.
    private static readonly Synthetic NumberMissed = new(
        "5586 7964 4863 5684", "09/35",
        [new("number", "5586 7964 4863 5684", NumberLine), new("expiry", "09/35", ExpiryLine)],
        [new(new(20, 100, 110, 120), "5586 7964", 0.7), new(new(120, 139, 170, 152), "09/35", 0.9), new(new(130, 60, 200, 80), "BANK", 0.5)],
        7, Parsed("", "09/35"), new(3, 40, 2, 15, 1), "5586 7964 4863 5684", "09/36");

    // The number line found and misread (the recogniser's); the expiry read right and lost by the parser; "VALID THRU" found as two boxes too small to match.
    private static readonly Synthetic Misread = new(
        "4428 3002 4590 9007", "03/26",
        [new("number", "4428 3002 4590 9007", NumberLine), new("expiry", "03/26", ExpiryLine), new("other", "VALID THRU", new(80, 140, 115, 150))],
        [
            new(new(25, 100, 225, 121), "4428 3002 4590 9807", 0.97), new(ExpiryLine, "03/26", 0.9),
            new(new(80, 140, 97, 150), "VALID", 0.6), new(new(99, 140, 115, 150), "THRU", 0.6),
        ],
        4, Parsed("4428300245909807", ""), new(2.5, 35, 1.5, 20, 0.7), "4428 3002 4590 9O07", "03 / 26");

    // No text on the photo, one false alarm.
    private static readonly Synthetic Blank = new(
        "", "", [], [new(new(50, 50, 90, 70), "", 0.2)], 1, Parsed("", ""), new(1, 25, 0, 0, 0.2), null, null);

    // A photo the pipeline failed on.
    private static readonly Synthetic Failed = new(
        "4000 0000 0000 0002", "12/30",
        [new("number", "4000 0000 0000 0002", NumberLine), new("expiry", "12/30", ExpiryLine)],
        [], 0, Parsed("", ""), new(1000, 1000, 1000, 1000, 1000), null, null);

    private static readonly Synthetic[] Answered = [Right, NumberMissed, Misread, Blank];

    private static PipelineReport Report() =>
        PipelineMetrics.Compute([.. Answered.Select(p => new PipelinePhoto(p.Truth, p.Output)), new PipelinePhoto(Failed.Truth, null)], Resamples);

    private static double Iou(Box a, Box b)
    {
        var width = Math.Max(0, Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left));
        var height = Math.Max(0, Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top));
        var shared = (double)width * height;
        return shared / (a.Area + b.Area - shared);
    }

    private static int GreedyMatches(IReadOnlyList<Box> truths, IReadOnlyList<Box> predictions)
    {
        var pairs = truths.SelectMany((t, ti) => predictions.Select((p, pi) => (Truth: ti, Prediction: pi, Iou: Iou(t, p))))
            .Where(x => x.Iou >= 0.5).OrderByDescending(x => x.Iou).ToList();
        var (truthTaken, predictionTaken) = (new HashSet<int>(), new HashSet<int>());
        var matched = 0;
        foreach (var pair in pairs)
        {
            if (!truthTaken.Contains(pair.Truth) && !predictionTaken.Contains(pair.Prediction))
            {
                truthTaken.Add(pair.Truth);
                predictionTaken.Add(pair.Prediction);
                matched++;
            }
        }

        return matched;
    }

    [Fact]
    public void Cards_read_right_counts_only_photos_with_a_field_and_only_answered_ones()
    {
        var report = Report();

        Assert.Equal(4, report.Fields.Photos);
        Assert.Equal(1.0 / 3, report.Fields.CardsReadRight.Value, 12);
    }

    [Fact]
    public void Each_field_counts_the_answered_photos_that_have_it()
    {
        var fields = Report().Fields.Fields;

        var number = fields.Single(f => f.Field == CardField.Number);
        var expiry = fields.Single(f => f.Field == CardField.Expiry);
        Assert.Equal((3, 3), (number.Count, expiry.Count));
        Assert.Equal(1.0 / 3, number.ExactMatch.Value, 12);
        Assert.Equal(2.0 / 3, expiry.ExactMatch.Value, 12);
    }

    [Fact]
    public void Blame_puts_each_wrong_field_on_one_stage_and_adds_up_to_the_wrong_fields()
    {
        var report = Report();

        Assert.Equal(new Dictionary<string, int> { ["detector"] = 1, ["recogniser"] = 1, ["parser"] = 1 }, report.Blame);
        var wrong = report.Fields.Fields.Sum(f => f.Count - (int)Math.Round(f.ExactMatch.Value * f.Count));
        Assert.Equal(wrong, report.Blame.Values.Sum());
    }

    [Fact]
    public void The_recogniser_alone_compares_the_number_by_digits_and_the_expiry_without_spaces()
    {
        var alone = Report().Fields.RecogniserAlone;

        Assert.Equal([CardField.Number, CardField.Expiry], alone.Select(a => a.Field));
        Assert.Equal((3, 3), (alone[0].Count, alone[1].Count));
        Assert.Equal(2.0 / 3, alone[0].ExactMatch.Value, 12); // the misread "9O07" is wrong
        Assert.Equal(2.0 / 3, alone[1].ExactMatch.Value, 12); // "09/36" is wrong, "03 / 26" right
    }

    [Fact]
    public void A_photo_with_a_number_but_no_reading_alone_counts_as_misread_alone()
    {
        var photo = Right with { AloneNumber = null, AloneExpiry = null };

        var alone = PipelineMetrics.Compute([new PipelinePhoto(photo.Truth, photo.Output)], Resamples).Fields.RecogniserAlone;

        Assert.Equal([(1, 0.0), (1, 0.0)], alone.Select(a => (a.Count, a.ExactMatch.Value)));
    }

    [Fact]
    public void Detection_pools_greedy_one_to_one_matches_at_iou_one_half_over_the_answered_photos()
    {
        var matched = Answered.Sum(p => GreedyMatches([.. p.Lines.Select(l => l.Box)], [.. p.Regions.Select(r => r.Box)]));
        var predicted = Answered.Sum(p => p.Regions.Length);
        var truths = Answered.Sum(p => p.Lines.Length);
        var (precision, recall) = ((double)matched / predicted, (double)matched / truths);
        Assert.Equal((6, 12, 8), (matched, predicted, truths));

        var detection = Report().Detection;

        Assert.Equal((4, truths, predicted, matched), (detection.Images, detection.TrueCount, detection.PredictedCount, detection.MatchedCount));
        Assert.Equal(precision, detection.Precision.Value, 12);
        Assert.Equal(recall, detection.Recall.Value, 12);
        Assert.Equal(2 * precision * recall / (precision + recall), detection.HMean.Value, 12);
        Assert.Empty(detection.PerImage);
    }

    [Fact]
    public void A_photo_whose_detector_returned_more_regions_than_were_kept_is_listed_as_capped()
    {
        Assert.Equal([new CappedImage(1, 7, 4)], Report().Detection.Capped);
    }

    [Fact]
    public void A_capped_photo_is_named_by_its_place_in_the_run_with_failed_photos_counted()
    {
        var report = PipelineMetrics.Compute([new PipelinePhoto(Failed.Truth, null), .. Answered.Select(p => new PipelinePhoto(p.Truth, p.Output))], Resamples);

        Assert.Equal([new CappedImage(2, 7, 4)], report.Detection.Capped);
    }

    [Fact]
    public void Stage_times_summarise_the_answered_photos_and_end_to_end_is_their_total()
    {
        var totals = Answered.Select(p => p.Times.DecodeMs + p.Times.DetectMs + p.Times.RectifyMs + p.Times.RecogniseMs + p.Times.ParseMs).Order().ToList();
        var median = (totals[1] + totals[2]) / 2;

        var stages = Report().Stages;

        Assert.Equal(4, stages.EndToEnd.Count);
        Assert.Equal(totals.Average(), stages.EndToEnd.MeanMs, 9);
        Assert.Equal(median, stages.EndToEnd.P50Ms, 9);
        Assert.Equal(totals[^1], stages.EndToEnd.MaxMs, 9);
        Assert.Equal((4, 2.125, 40.0), (stages.Decode.Count, stages.Decode.MeanMs, stages.Detect.MaxMs));
        Assert.Equal((1.125, 13.5), (stages.Rectify.MeanMs, stages.Recognise.P50Ms));
        Assert.Equal(0.6, stages.Parse.MeanMs, 9);
    }

    [Fact]
    public void Timed_inputs_put_the_model_stages_under_compute_and_the_parser_under_postprocessing()
    {
        var timed = PipelineMetrics.TimedInputs([Right.Output, Misread.Output]);

        Assert.Equal(2, timed.Count);
        Assert.Equal(new TimedInput(2, 0, 43, 0.5, 45.5), timed[0]);
        Assert.Equal((2.5, 0.0, 56.5, 0.7), (timed[1].DecodeMs, timed[1].PreprocessMs, timed[1].ComputeMs, timed[1].PostprocessMs));
        Assert.Equal(59.7, timed[1].TotalMs, 9);
    }

    [Fact]
    public void A_run_that_failed_on_every_photo_has_empty_figures()
    {
        var report = PipelineMetrics.Compute([new PipelinePhoto(Failed.Truth, null)], Resamples);

        Assert.Equal((0, 0, 0), (report.Detection.Images, report.Detection.TrueCount, report.Detection.PredictedCount));
        Assert.Equal((0, 0.0), (report.Fields.Photos, report.Fields.CardsReadRight.Value));
        Assert.All(report.Fields.Fields, f => Assert.Equal(0, f.Count));
        Assert.All(report.Fields.RecogniserAlone, a => Assert.Equal(0, a.Count));
        Assert.All(report.Blame.Values, b => Assert.Equal(0, b));
        Assert.Equal(0, report.Stages.EndToEnd.Count);
    }
}
