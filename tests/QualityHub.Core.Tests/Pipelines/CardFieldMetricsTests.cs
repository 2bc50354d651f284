using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;

namespace QualityHub.Core.Tests.Pipelines;

public sealed class CardFieldMetricsTests
{
    private static Quad Box(float left, float top, float right, float bottom) => Quad.Of(left, top, right, top, right, bottom, left, bottom);

    // A card with its number on a 200 x 20 line and its expiry on a 50 x 12 line.
    private static readonly CardTruth Card = new("4539 1488 0343 6467", "07/29",
    [
        new TrueLine("number", "4539 1488 0343 6467", Box(20, 100, 220, 120)),
        new TrueLine("expiry", "07/29", Box(120, 140, 170, 152)),
    ]);

    private static CardPrediction Read(string number, string expiry, params ReadRegion[] regions) =>
        new(new CardFields(number, CardFieldParser.Luhn(number), expiry), regions);

    [Fact]
    public void Right_fields_are_blamed_on_nobody_and_the_number_is_compared_as_digits()
    {
        var outcomes = CardFieldMetrics.Judge(Card, Read("4539148803436467", "07/29"));

        Assert.Equal([Blame.None, Blame.None], outcomes.Select(o => o.Blame));
        Assert.Equal("4539148803436467", outcomes[0].Expected);
        Assert.Equal((0, 0.0), (outcomes[0].EditDistance, outcomes[0].NormalizedEditDistance));
    }

    [Fact]
    public void Each_field_is_compared_raw_as_printed_and_under_the_modules_rule()
    {
        var spaced = new CardPrediction(new CardFields("4539148803436467", true, "07/29", "4539 14880343 6467", "07 / 29"), []);

        var underDefault = CardFieldMetrics.Judge(Card, spaced);
        var exact = CardFieldMetrics.Judge(Card, spaced, TextComparison.Exact);

        Assert.Equal([Blame.None, Blame.None], underDefault.Select(o => o.Blame)); // spaces dropped: both right
        Assert.Equal(("4539 1488 0343 6467", "4539 14880343 6467", 1), (underDefault[0].Raw.Expected, underDefault[0].Raw.Predicted, underDefault[0].Raw.EditDistance));
        Assert.Equal((2, 2.0 / 7), (underDefault[1].Raw.EditDistance, underDefault[1].Raw.NormalizedEditDistance));
        Assert.False(underDefault[1].Raw.Exact);
        Assert.Equal(("4539 1488 0343 6467", 1), (exact[0].Expected, exact[0].EditDistance)); // as printed, the missing space counts
        Assert.Equal([Blame.Detector, Blame.Detector], exact.Select(o => o.Blame)); // no regions: nothing was found
    }

    [Fact]
    public void Over_photos_the_raw_scores_sit_beside_the_scores_under_the_rule()
    {
        var photos = new List<(CardTruth, CardPrediction)>
        {
            (Card, new CardPrediction(new CardFields("4539148803436467", true, "07/29", "4539 1488 0343 6467", "07/29"), [])),
            (Card, new CardPrediction(new CardFields("4539148803436467", true, "07/29", "45391488 0343 6467", "07/29"), [])),
        };

        var number = CardFieldMetrics.Compute(photos, new BootstrapSettings(Resamples: 200)).Fields.Single(f => f.Field == CardField.Number);

        Assert.Equal(1.0, number.ExactMatch.Value);
        Assert.Equal((0.5, 0.5), (number.Raw!.ExactMatch.Value, number.Raw.MeanEditDistance));
        Assert.Equal(1 / 38.0, number.Raw.NormalizedEditDistance.Value, 12);
    }

    [Fact]
    public void A_field_whose_line_no_box_covers_by_half_is_the_detectors()
    {
        var outcomes = CardFieldMetrics.Judge(Card, Read("", "", new ReadRegion(Box(20, 100, 110, 120), "4539 1488"), new ReadRegion(Box(0, 0, 50, 10), "07/29")));

        Assert.Equal([Blame.Detector, Blame.Detector], outcomes.Select(o => o.Blame)); // 90 of 200 columns; the expiry box is elsewhere
        Assert.Equal(16, outcomes[0].EditDistance);
        Assert.Equal(1.0, outcomes[1].NormalizedEditDistance);
    }

    [Fact]
    public void A_line_found_as_several_boxes_but_read_wrong_is_the_recognisers_and_read_right_the_parsers()
    {
        // The number's four groups as four boxes, together covering the line; one group misread.
        ReadRegion[] misread =
        [
            new(Box(20, 100, 65, 120), "4539"), new(Box(70, 100, 115, 120), "1488"), new(Box(120, 100, 165, 120), "0348"), new(Box(170, 100, 220, 120), "6467"),
            new(Box(118, 138, 172, 154), "07129"),
        ];
        ReadRegion[] readRight = [.. misread.Take(2), new(Box(120, 100, 165, 120), "0343"), misread[3], new(Box(118, 138, 172, 154), "VALID 07/29")];

        var recogniser = CardFieldMetrics.Judge(Card, Read("4539148803486467", "", misread));
        var parser = CardFieldMetrics.Judge(Card, Read("", "", readRight));

        Assert.Equal([Blame.Recogniser, Blame.Recogniser], recogniser.Select(o => o.Blame));
        Assert.Equal(1, recogniser[0].EditDistance);
        Assert.Equal([Blame.Parser, Blame.Parser], parser.Select(o => o.Blame));
    }

    [Fact]
    public void Over_photos_every_wrong_field_has_one_stage_and_photos_without_a_field_are_not_counted()
    {
        var blank = new CardTruth("", "", []);
        var photos = new List<(CardTruth, CardPrediction)>
        {
            (Card, Read("4539148803436467", "07/29")),
            (Card, Read("", "07/29", new ReadRegion(Box(118, 138, 172, 154), "07/29"))),
            (Card, Read("4539148803486467", "07/28", new ReadRegion(Box(20, 100, 220, 120), "4539 1488 0348 6467"), new ReadRegion(Box(118, 138, 172, 154), "07/28"))),
            (blank, Read("", "")),
        };

        var report = CardFieldMetrics.Compute(photos, new BootstrapSettings(Resamples: 200));

        var number = report.Fields.Single(f => f.Field == CardField.Number);
        var expiry = report.Fields.Single(f => f.Field == CardField.Expiry);
        Assert.Equal(3, number.Count);
        Assert.Equal(1.0 / 3, number.ExactMatch.Value, 12);
        Assert.Equal((1, 1, 0), (number.Blamed[Blame.Detector], number.Blamed[Blame.Recogniser], number.Blamed[Blame.Parser]));
        Assert.Equal(2.0 / 3, expiry.ExactMatch.Value, 12);
        Assert.Equal(1, expiry.Blamed[Blame.Recogniser]);
        Assert.Equal(number.Count - (int)Math.Round(number.ExactMatch.Value * number.Count), number.Blamed.Values.Sum());
        Assert.Empty(report.PerImage[3]);
        Assert.Equal((16 + 0 + 1) / 3.0, number.MeanEditDistance, 12);
    }

    [Fact]
    public void A_field_without_a_line_of_its_role_cannot_be_judged_and_says_so()
    {
        var noLine = new CardTruth("4539 1488 0343 6467", "", [new TrueLine("name", "J SMITH", Box(0, 0, 10, 10))]);

        var error = Assert.Throws<ArgumentException>(() => CardFieldMetrics.Judge(noLine, Read("", "")));

        Assert.Contains("none of its lines has the role 'number'", error.Message);
    }
}
