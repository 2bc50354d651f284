using System.Diagnostics;
using QualityHub.Core.Pipelines;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Inference.Pipelines;

/// <summary>A model and the card that says how to use it: one stage of a pipeline.</summary>
public sealed record StageModel(ModelSpec Model, ModelCard Card);

/// <summary>One detected box, straightened, and what the recogniser read in it.</summary>
public sealed record ReadBox(DetectedBox Box, string Text, float Confidence);

/// <summary>Where a card photo's time went, stage by stage, in milliseconds.</summary>
public sealed record StageTimes(double DetectMs, double CropMs, double RecogniseMs, double ParseMs)
{
    public double TotalMs => DetectMs + CropMs + RecogniseMs + ParseMs;
}

/// <summary>A card photo read end to end: the detector's boxes, each box's text (by line, in reading order), the fields, the stages' times.</summary>
public sealed record CardReading(TextDetectionResult Detection, IReadOnlyList<IReadOnlyList<ReadBox>> Lines, CardFields Fields, StageTimes Times)
{
    /// <summary>Every box read, in reading order, as a run stores it: corners, the detector's score, the text and its confidence.</summary>
    public IReadOnlyList<StoredRegion> Regions() =>
        Lines.SelectMany(l => l).Select(b => new StoredRegion(b.Box.Corners.SelectMany(p => new[] { p.X, p.Y }).ToArray(), b.Box.Score, b.Text, b.Confidence)).ToList();
}

/// <summary>
/// The card reader pipeline: a text detector finds the regions, each is cut out and straightened
/// (<see cref="QuadCrop"/>), a text recogniser reads it, and <see cref="CardFieldParser"/> finds the card number and
/// expiry in the lines (the texts of a line's boxes joined by spaces).
/// </summary>
public sealed class CardReader(ModelTaskRunner runner)
{
    /// <summary>
    /// Reads <paramref name="photo"/>: detects its text regions, reads the <paramref name="maxRegions"/> highest-scoring
    /// (all of them, normally: the cap, <see cref="PipelineMetrics.MaxRegions"/>, keeps a detector that floods a photo with boxes from
    /// stalling a run; <see cref="CardReading.Detection"/> keeps every box found, so a cap shows), parses the fields.
    /// </summary>
    public async Task<CardReading> ReadAsync(StageModel detector, StageModel recogniser, Image photo, CancellationToken cancellationToken = default, int maxRegions = PipelineMetrics.MaxRegions)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(recogniser);
        if (detector.Card.Task != ModelTask.TextDetection || recogniser.Card.Task != ModelTask.TextRecognition)
        {
            throw new ArgumentException(
                $"A card reader takes a text detector, then a text recogniser; it was given {detector.Card.Task} and {recogniser.Card.Task}.");
        }

        var started = Stopwatch.GetTimestamp();
        var detection = (await runner.RunAsync(detector.Model, detector.Card, photo, cancellationToken)).Detection!;
        var detectMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var cropMs = 0.0;
        var recogniseMs = 0.0;
        var lines = new List<IReadOnlyList<ReadBox>>();
        var kept = detection.Boxes.Count <= maxRegions ? detection.Boxes : detection.Boxes.OrderByDescending(b => b.Score).Take(Math.Max(0, maxRegions)).ToList();
        foreach (var line in TextDetection.Lines(kept))
        {
            var read = new List<ReadBox>(line.Count);
            foreach (var box in line)
            {
                var cropStarted = Stopwatch.GetTimestamp();
                var crop = QuadCrop.Rectify(photo, box.Corners);
                cropMs += Stopwatch.GetElapsedTime(cropStarted).TotalMilliseconds;
                var recogniseStarted = Stopwatch.GetTimestamp();
                var text = await runner.RunAsync(recogniser.Model, recogniser.Card, crop, cancellationToken);
                recogniseMs += Stopwatch.GetElapsedTime(recogniseStarted).TotalMilliseconds;
                read.Add(new ReadBox(box, text.Output, text.Confidence));
            }

            lines.Add(read);
        }

        var parseStarted = Stopwatch.GetTimestamp();
        var fields = CardFieldParser.Parse(lines.Select(line => string.Join(' ', line.Select(b => b.Text.Trim()))).ToList());
        var parseMs = Stopwatch.GetElapsedTime(parseStarted).TotalMilliseconds;
        return new CardReading(detection, lines, fields, new StageTimes(detectMs, cropMs, recogniseMs, parseMs));
    }

    /// <summary>
    /// The recogniser alone on a line whose place is known (a test set's true box): straightened and read as in the
    /// pipeline, so that a recogniser is judged without the detector's misses and loose boxes.
    /// </summary>
    public async Task<string> ReadLineAsync(StageModel recogniser, Image photo, IReadOnlyList<Core.Metrics.Vertex> corners, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recogniser);
        if (recogniser.Card.Task != ModelTask.TextRecognition)
        {
            throw new ArgumentException($"A line is read by a text recogniser, not a {recogniser.Card.Task} model.");
        }

        return (await runner.RunAsync(recogniser.Model, recogniser.Card, QuadCrop.Rectify(photo, corners), cancellationToken)).Output;
    }
}
