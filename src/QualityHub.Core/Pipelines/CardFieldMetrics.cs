using System.Text.Json.Serialization;
using QualityHub.Core.Metrics;

namespace QualityHub.Core.Pipelines;

/// <summary>The fields a card reader reads (by name in stored metrics).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CardField>))]
public enum CardField
{
    Number,
    Expiry,
}

/// <summary>The stage a wrong field is put down to.</summary>
public enum Blame
{
    /// <summary>The field is right.</summary>
    None,

    /// <summary>Missed by the detector: its boxes cover less than half of the field's true line.</summary>
    Detector,

    /// <summary>Misread by the recogniser: the line was found, but the text read in it is not the field.</summary>
    Recogniser,

    /// <summary>The parser: the field's text was read right, and the field still came out wrong.</summary>
    Parser,
}

/// <summary>A text line drawn on the photo: its role (number, expiry, name, other), its text and where it is.</summary>
public sealed record TrueLine(string Role, string Text, Quad Quad);

/// <summary>A box the detector found and the text the recogniser read in it.</summary>
public sealed record ReadRegion(Quad Quad, string Text);

/// <summary>What a card photo holds (empty fields for a photo without them).</summary>
public sealed record CardTruth(string Number, string Expiry, IReadOnlyList<TrueLine> Lines);

/// <summary>What the pipeline made of a photo: the fields and the regions with their texts.</summary>
public sealed record CardPrediction(CardFields Fields, IReadOnlyList<ReadRegion> Regions);

/// <summary>A field compared one way: what was expected and what came out, compared as such, with the edit distances.</summary>
public sealed record FieldComparison(string Expected, string Predicted, int EditDistance, double NormalizedEditDistance)
{
    public bool Exact => Expected == Predicted;

    public static FieldComparison Of(string expected, string predicted) =>
        new(expected, predicted, Metrics.EditDistance.Levenshtein(expected, predicted), Metrics.EditDistance.Normalized(expected, predicted));
}

/// <summary>
/// One field of one photo: compared under the module's rule (<see cref="Expected"/>, <see cref="Predicted"/>, the
/// distances and the blame), and <see cref="Raw"/>: the field as printed against the field as read.
/// </summary>
public sealed record FieldOutcome(CardField Field, string Expected, string Predicted, int EditDistance, double NormalizedEditDistance, Blame Blame, FieldComparison Raw);

/// <summary>A field's scores one way: exact match and normalised edit distance with 95 % intervals, and the mean edit distance.</summary>
public sealed record FieldScores(Estimate ExactMatch, double MeanEditDistance, Estimate NormalizedEditDistance);

/// <summary>
/// A field over the photos that have it, under the module's rule (exact match and normalised edit distance with 95 %
/// intervals, mean edit distance, and the wrong ones by stage), and <see cref="Raw"/> (as printed against as read; null
/// in runs stored before raw scores were kept).
/// </summary>
public sealed record FieldSummary(CardField Field, int Count, Estimate ExactMatch, double MeanEditDistance, Estimate NormalizedEditDistance, IReadOnlyDictionary<Blame, int> Blamed, FieldScores? Raw = null);

/// <summary>Each field's summary and every photo's outcomes (photos without a field have no outcome for it).</summary>
public sealed record CardFieldReport(IReadOnlyList<FieldSummary> Fields, IReadOnlyList<IReadOnlyList<FieldOutcome>> PerImage);

/// <summary>
/// A card reader's quality end to end, field by field, and which stage each wrong field is put down to. Each field is
/// compared twice: raw (as printed on the card against as read, spaces included) and under the module's comparison
/// rule (<see cref="TextComparisons.Normalize"/> on both; a card reader's default, <see cref="DefaultRule"/>, drops
/// spaces — the gaps between a number's groups are layout); the figures that count (exact match, blame) are the ones
/// under the rule. A wrong field is the detector's when the boxes found cover less than half of its true line's area
/// (boxes of a number's groups count together); else the recogniser's when the texts read in those boxes (left to
/// right) do not hold the field under the rule; else the parser's. So every wrong field has exactly one stage to blame.
/// </summary>
public static class CardFieldMetrics
{
    /// <summary>The share of a true line's area the boxes must cover for the detector to have found it.</summary>
    public const double FoundCoverage = 0.5;

    /// <summary>A card reader's comparison rule unless its module sets another: spaces dropped (a number's group gaps, "07 / 29").</summary>
    public const TextComparison DefaultRule = TextComparison.IgnoreSpaces;

    public static CardFieldReport Compute(IReadOnlyList<(CardTruth Truth, CardPrediction Prediction)> photos, BootstrapSettings? bootstrap = null, TextComparison rule = DefaultRule)
    {
        ArgumentNullException.ThrowIfNull(photos);
        var perImage = photos.Select(p => Judge(p.Truth, p.Prediction, rule)).ToList();
        var fields = Enum.GetValues<CardField>().Select(field =>
        {
            var outcomes = perImage.SelectMany(o => o).Where(o => o.Field == field).ToList();
            var exact = outcomes.Select(o => o.Blame == Blame.None ? 1.0 : 0.0).ToList();
            var blamed = Enum.GetValues<Blame>().Where(b => b != Blame.None).ToDictionary(b => b, b => outcomes.Count(o => o.Blame == b));
            var raw = new FieldScores(
                Bootstrap.Mean(outcomes.Select(o => o.Raw.Exact ? 1.0 : 0.0).ToList(), bootstrap), outcomes.Count == 0 ? 0 : outcomes.Average(o => o.Raw.EditDistance),
                Bootstrap.Mean(outcomes.Select(o => o.Raw.NormalizedEditDistance).ToList(), bootstrap));
            return new FieldSummary(
                field, outcomes.Count, Bootstrap.Mean(exact, bootstrap), outcomes.Count == 0 ? 0 : outcomes.Average(o => o.EditDistance),
                Bootstrap.Mean(outcomes.Select(o => o.NormalizedEditDistance).ToList(), bootstrap), blamed, raw);
        }).ToList();
        return new CardFieldReport(fields, perImage);
    }

    /// <summary>The outcome of each field the photo has, under <paramref name="rule"/> and raw.</summary>
    public static IReadOnlyList<FieldOutcome> Judge(CardTruth truth, CardPrediction prediction, TextComparison rule = DefaultRule)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(prediction);
        var outcomes = new List<FieldOutcome>(2);
        if (truth.Number.Length > 0)
        {
            outcomes.Add(Outcome(CardField.Number, truth.Number, prediction.Fields.NumberAsRead, "number", truth, prediction, rule));
        }

        if (truth.Expiry.Length > 0)
        {
            outcomes.Add(Outcome(CardField.Expiry, truth.Expiry, prediction.Fields.ExpiryAsRead, "expiry", truth, prediction, rule));
        }

        return outcomes;
    }

    private static FieldOutcome Outcome(CardField field, string printed, string read, string role, CardTruth truth, CardPrediction prediction, TextComparison rule)
    {
        var raw = FieldComparison.Of(printed, read);
        var expected = TextComparisons.Normalize(printed, rule);
        var predicted = TextComparisons.Normalize(read, rule);
        var distance = EditDistance.Levenshtein(expected, predicted);
        var normalized = EditDistance.Normalized(expected, predicted);
        if (expected == predicted)
        {
            return new FieldOutcome(field, expected, predicted, distance, normalized, Blame.None, raw);
        }

        var line = truth.Lines.FirstOrDefault(l => l.Role == role)
            ?? throw new ArgumentException($"The photo's {role} is '{printed}', but none of its lines has the role '{role}': a wrong field could not be put down to a stage.");
        var area = Polygons.Area(line.Quad);
        var over = prediction.Regions.Select(r => (Region: r, Shared: Shared(line.Quad, area, r.Quad))).Where(x => x.Shared > 0).ToList();
        Blame blame;
        if (area <= 0 || over.Sum(x => x.Shared) / area < FoundCoverage)
        {
            blame = Blame.Detector;
        }
        else
        {
            var texts = string.Join(' ', over.OrderBy(x => x.Region.Quad.Points.Min(p => p.X)).Select(x => x.Region.Text.Trim()));
            blame = TextComparisons.Normalize(texts, rule).Contains(expected, StringComparison.Ordinal) ? Blame.Parser : Blame.Recogniser;
        }

        return new FieldOutcome(field, expected, predicted, distance, normalized, blame, raw);
    }

    // The area two quads share, from their IoU: shared = IoU × (A + B) ÷ (1 + IoU).
    private static double Shared(Quad line, double lineArea, Quad box)
    {
        var iou = Polygons.Iou(line, box);
        return iou <= 0 ? 0 : iou * (lineArea + Polygons.Area(box)) / (1 + iou);
    }

    /// <summary>A card number as it is compared: its digits alone (the spaces between groups are layout).</summary>
    public static string Digits(string text) => string.Concat((text ?? "").Where(char.IsAsciiDigit));
}
