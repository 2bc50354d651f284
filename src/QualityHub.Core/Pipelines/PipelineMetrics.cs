using QualityHub.Core.Metrics;

namespace QualityHub.Core.Pipelines;

/// <summary>The recogniser alone on one field's true lines: how many photos have the field, and the share it read right.</summary>
public sealed record RecogniserAlone(CardField Field, int Count, Estimate ExactMatch);

/// <summary>
/// A card reader's fields end to end: <see cref="CardsReadRight"/>, the share of photos with a number or an expiry
/// whose fields all came out right under the module's rule (the pipeline's headline), each field's summary, and the
/// recogniser alone on the true lines — each with its 95 % interval; <see cref="Rule"/> is the rule they were scored
/// under (null in runs stored before pipelines took their module's rule: those were scored as digits and without
/// spaces) and <see cref="CardsReadRightRaw"/> the headline with every field compared as printed.
/// </summary>
public sealed record PipelineFieldsReport(
    int Photos, Estimate CardsReadRight, IReadOnlyList<FieldSummary> Fields, IReadOnlyList<RecogniserAlone> RecogniserAlone,
    TextComparison? Rule = null, string? RuleDescription = null, Estimate? CardsReadRightRaw = null);

/// <summary>Each stage's time per photo, and the whole pipeline's (one photo at a time, nothing else in flight).</summary>
public sealed record PipelineStageTimes(
    LatencySummary Decode, LatencySummary Detect, LatencySummary Rectify, LatencySummary Recognise, LatencySummary Parse, LatencySummary EndToEnd);

/// <summary>One photo of a pipeline run: its truth and what the pipeline made of it (null when the pipeline failed on it).</summary>
public sealed record PipelinePhoto(CardTruth Truth, CardReadOutput? Output);

/// <summary>A pipeline run's report: the detector's regions against the true lines, the fields with blame, the stages' times.</summary>
public sealed record PipelineReport(DetectionReport Detection, PipelineFieldsReport Fields, IReadOnlyDictionary<string, int> Blame, PipelineStageTimes Stages);

/// <summary>
/// Everything a card-reader run is judged by, from its stored outputs. The detection figures match the regions the
/// pipeline kept against every true line (ICDAR style, IoU 0.5); the fields are judged by <see cref="CardFieldMetrics"/>
/// under the module's rule (so every wrong field has one stage to blame, and the blame counts add up to the wrong
/// fields), and raw; the recogniser alone is judged as the fields are, under the rule. Photos the pipeline failed on
/// are left out of every figure (a run counts them as errors).
/// </summary>
public static class PipelineMetrics
{
    /// <summary>The most regions of a photo a run reads and keeps (the highest-scoring); a detector that returns more is capped, and the report says where.</summary>
    public const int MaxRegions = 500;

    public static PipelineReport Compute(IReadOnlyList<PipelinePhoto> photos, BootstrapSettings? bootstrap = null, TextComparison rule = CardFieldMetrics.DefaultRule)
    {
        ArgumentNullException.ThrowIfNull(photos);
        var answered = photos.Where(p => p.Output is not null).ToList();
        var detection = DetectionMetrics.Compute(
            answered.Select(p => new DetectedItem(
                p.Truth.Lines.Select(l => new TrueRegion(l.Quad)).ToList(),
                p.Output!.Regions.Select(r => new PredictedRegion(r.Quad, r.Score)).ToList())).ToList(),
            bootstrap, new DetectionSettings(MaxPredictionsPerImage: MaxRegions));
        // Photos the detector flooded, by their place in the run (failed photos count): the run kept the highest-scoring
        // MaxRegions, so the metrics' own cap, the same number, drops nothing more.
        var capped = photos.Select((p, i) => (Image: i, p.Output))
            .Where(x => x.Output is not null && x.Output.RegionsFound > x.Output.Regions.Count)
            .Select(x => new CappedImage(x.Image, x.Output!.RegionsFound, x.Output.RegionsFound - x.Output.Regions.Count));

        var fields = CardFieldMetrics.Compute(answered.Select(p => (p.Truth, new CardPrediction(
            p.Output!.Fields, p.Output.Regions.Select(r => new ReadRegion(r.Quad, r.Text)).ToList()))).ToList(), bootstrap, rule);
        var withFields = fields.PerImage.Where(outcomes => outcomes.Count > 0).ToList();
        var cardsRight = Bootstrap.Mean(withFields.Select(outcomes => outcomes.All(o => o.Blame == Blame.None) ? 1.0 : 0.0).ToList(), bootstrap);
        var cardsRightRaw = Bootstrap.Mean(withFields.Select(outcomes => outcomes.All(o => o.Raw.Exact) ? 1.0 : 0.0).ToList(), bootstrap);
        bool Same(string? read, string printed) => TextComparisons.Normalize(read ?? "", rule) == TextComparisons.Normalize(printed, rule);
        var alone = new[]
        {
            Alone(CardField.Number, answered.Where(p => p.Truth.Number.Length > 0).Select(p => Same(p.Output!.AloneNumber, p.Truth.Number)).ToList(), bootstrap),
            Alone(CardField.Expiry, answered.Where(p => p.Truth.Expiry.Length > 0).Select(p => Same(p.Output!.AloneExpiry, p.Truth.Expiry)).ToList(), bootstrap),
        };
        var blame = Enum.GetValues<Blame>().Where(b => b != Blame.None)
            .ToDictionary(b => b.ToString().ToLowerInvariant(), b => fields.Fields.Sum(f => f.Blamed[b]));

        var times = answered.Select(p => p.Output!.Times).ToList();
        LatencySummary Of(Func<StageMilliseconds, double> stage) => LatencyStats.Summarize(times.Select(stage).ToList());
        var stages = new PipelineStageTimes(Of(t => t.DecodeMs), Of(t => t.DetectMs), Of(t => t.RectifyMs), Of(t => t.RecogniseMs), Of(t => t.ParseMs), Of(t => t.TotalMs));
        return new PipelineReport(
            detection with { PerImage = [], Capped = [.. capped, .. detection.Capped] },
            new PipelineFieldsReport(answered.Count, cardsRight, fields.Fields, alone, rule, TextComparisons.Describe(rule), cardsRightRaw), blame, stages);
    }

    /// <summary>A run's processing time from its photos' times: decoding, the model stages as compute, the parser as post-processing.</summary>
    public static IReadOnlyList<TimedInput> TimedInputs(IEnumerable<CardReadOutput> outputs) =>
        outputs.Select(o => new TimedInput(o.Times.DecodeMs, 0, o.Times.DetectMs + o.Times.RectifyMs + o.Times.RecogniseMs, o.Times.ParseMs, o.Times.TotalMs)).ToList();

    private static RecogniserAlone Alone(CardField field, List<bool> right, BootstrapSettings? bootstrap) =>
        new(field, right.Count, Bootstrap.Mean(right.Select(r => r ? 1.0 : 0.0).ToList(), bootstrap));

}
