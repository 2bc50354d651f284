using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DbPostprocessBench;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference;
using QualityHub.Core.Metrics;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

// Issue #22: our DB post-processing (TextDetection.FindBoxes) against OpenCvSharp's, on the PP-OCRv4 detector's
// probability maps of the demo's 320 card photos: time, agreement, and detection H-mean against the true lines.
const int Rounds = 5;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var root = RepositoryRoot();
var card = ModelCard.Load(Path.Combine(root, "data", "demo", "models", "pp-ocrv4-det.card.json"));
var settings = card.Detection ?? new DbSettings();
var model = new ModelSpec("det", Path.Combine(root, "node_modules", "@gutenye", "ocr-models", "assets", "ch_PP-OCRv4_det_infer.onnx"), "pp-ocrv4-det");
var folder = Path.Combine(root, "data", "demo", "card-photos");

// 1. The detector once over every photo, through the product's public API (ModelTaskRunner.PrepareFor, the engine),
//    keeping each probability map; the first few are checked against ModelTaskRunner.RunAsync's own boxes.
var maps = new List<ProbabilityMap>();
var inferStarted = Stopwatch.GetTimestamp();
await using (var engine = new InferenceEngine(Options.Create(new InferenceOptions { Provider = ProviderPreference.Cpu }), NullLogger<InferenceEngine>.Instance))
{
    var runner = new ModelTaskRunner(engine);
    foreach (var line in File.ReadLines(Path.Combine(folder, "labels.jsonl")))
    {
        using var label = JsonDocument.Parse(line);
        var photo = ImageDecoder.Decode(await File.ReadAllBytesAsync(Path.Combine(folder, label.RootElement.GetProperty("image").GetString()!)), 40_000_000);
        var truths = label.RootElement.GetProperty("lines").EnumerateArray()
            .Select(l => new TrueRegion(new Quad(l.GetProperty("points").EnumerateArray().Select(p => new Vertex(p[0].GetSingle(), p[1].GetSingle())).ToList())))
            .ToList();
        var (item, itemShape) = ModelTaskRunner.PrepareFor(card, photo);
        var result = await engine.InferAsync(model, item, itemShape);
        var output = card.OutputName is null ? result.Outputs[0] : result.Outputs.Single(o => o.Name == card.OutputName);
        var map = new ProbabilityMap(output.Data, (int)output.Shape[^1], (int)output.Shape[^2], photo.Width, photo.Height, truths);
        if (maps.Count < 3)
        {
            var viaRunner = (await runner.RunAsync(model, card, photo)).Detection!.Boxes;
            var viaMap = Ours(map).Boxes;
            if (viaRunner.Count != viaMap.Count || viaRunner.Zip(viaMap).Any(pair => !pair.First.Corners.SequenceEqual(pair.Second.Corners)))
            {
                throw new InvalidOperationException("The kept map does not give the boxes ModelTaskRunner gives.");
            }
        }

        maps.Add(map);
    }
}

var inferSeconds = Stopwatch.GetElapsedTime(inferStarted).TotalSeconds;
Console.WriteLine($"Detector: {maps.Count} photos in {inferSeconds:F1} s; maps {maps.Min(m => m.Width)}–{maps.Max(m => m.Width)} × {maps.Min(m => m.Height)}–{maps.Max(m => m.Height)}");
Console.WriteLine($"OpenCV {OpenCvSharp.Cv2.GetVersionString()}, {OpenCvSharp.Cv2.GetNumThreads()} threads; {Environment.ProcessorCount} cores; .NET {Environment.Version}");

// 2. Warm-up pass, whose results are the ones compared, then the timed rounds (alternating which goes first).
var ours = maps.Select(m => Ours(m).Boxes).ToList();
var opencv = maps.Select(OpenCv).ToList();
var oursMs = new double[Rounds, maps.Count];
var opencvMs = new double[Rounds, maps.Count];
for (var round = 0; round < Rounds; round++)
{
    for (var pass = 0; pass < 2; pass++)
    {
        var timeOurs = (round + pass) % 2 == 0;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        for (var i = 0; i < maps.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            _ = timeOurs ? Ours(maps[i]).Boxes.Count : OpenCv(maps[i]).Count;
            (timeOurs ? oursMs : opencvMs)[round, i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }
}

// 3. Agreement: boxes per image, and our boxes matched greedily to OpenCV's by IoU ≥ 0.5.
var sameCount = Enumerable.Range(0, maps.Count).Count(i => ours[i].Count == opencv[i].Count);
var matchedIous = new List<double>();
var scoreDifferences = new List<double>();
for (var i = 0; i < maps.Count; i++)
{
    var pairs = (from a in Enumerable.Range(0, ours[i].Count)
                 from b in Enumerable.Range(0, opencv[i].Count)
                 let iou = Polygons.Iou(ours[i][a].Quad, opencv[i][b].Quad)
                 where iou >= 0.5
                 orderby iou descending, a, b
                 select (a, b, iou)).ToList();
    var (usedA, usedB) = (new HashSet<int>(), new HashSet<int>());
    foreach (var (a, b, iou) in pairs.Where(p => !usedA.Contains(p.a) && !usedB.Contains(p.b)))
    {
        if (usedA.Add(a) && usedB.Add(b))
        {
            matchedIous.Add(iou);
            scoreDifferences.Add(Math.Abs(ours[i][a].Score - opencv[i][b].Score));
        }
    }
}

var oursBoxes = ours.Sum(b => b.Count);
var opencvBoxes = opencv.Sum(b => b.Count);
var oursReport = DetectionMetrics.Compute(Scored(ours));
var opencvReport = DetectionMetrics.Compute(Scored(opencv));
var (oursTimes, opencvTimes) = (BestOf(oursMs), BestOf(opencvMs));
var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libOpenCvSharpExtern.so");

Console.WriteLine();
Console.WriteLine($"DB post-processing of {maps.Count} maps; per image, best of {Rounds} rounds after a warm-up pass");
Console.WriteLine("| | ours (TextDetection.FindBoxes) | OpenCvSharp 4.13 |");
Console.WriteLine("| --- | ---: | ---: |");
Console.WriteLine($"| median ms per image | {Percentile(oursTimes, 0.5):F3} | {Percentile(opencvTimes, 0.5):F3} |");
Console.WriteLine($"| p95 ms per image | {Percentile(oursTimes, 0.95):F3} | {Percentile(opencvTimes, 0.95):F3} |");
Console.WriteLine($"| all {maps.Count} maps, ms (sum of best-of) | {oursTimes.Sum():F1} | {opencvTimes.Sum():F1} |");
Console.WriteLine($"| boxes found | {oursBoxes} | {opencvBoxes} |");
Console.WriteLine($"| detection precision / recall | {oursReport.Precision.Value:F4} / {oursReport.Recall.Value:F4} | {opencvReport.Precision.Value:F4} / {opencvReport.Recall.Value:F4} |");
Console.WriteLine($"| detection H-mean (95 % interval) | {Show(oursReport.HMean)} | {Show(opencvReport.HMean)} |");
Console.WriteLine($"| mean IoU of matched boxes with the true lines | {MeanMatchedIou(oursReport):F4} | {MeanMatchedIou(opencvReport):F4} |");
Console.WriteLine($"| native runtime on disk | none | {new FileInfo(native).Length / 1e6:F1} MB (libOpenCvSharpExtern.so) |");
Console.WriteLine();
Console.WriteLine($"ours/OpenCV time: median {Percentile(oursTimes, 0.5) / Percentile(opencvTimes, 0.5):F2}x, p95 {Percentile(oursTimes, 0.95) / Percentile(opencvTimes, 0.95):F2}x");
Console.WriteLine($"Agreement: same number of boxes on {sameCount} of {maps.Count} images; {matchedIous.Count} of {oursBoxes} ours / {opencvBoxes} OpenCV's boxes matched (IoU >= 0.5), "
    + $"mean IoU {matchedIous.DefaultIfEmpty(0).Average():F4} (min {matchedIous.DefaultIfEmpty(0).Min():F4}), mean |score difference| {scoreDifferences.DefaultIfEmpty(0).Average():F4}");
Console.WriteLine("Our slowest maps: " + string.Join("; ", Enumerable.Range(0, maps.Count).OrderByDescending(i => oursTimes[i]).Take(5).Select(i =>
    $"#{i + 1} {oursTimes[i]:F2} ms vs {opencvTimes[i]:F2} ms, {Ours(maps[i]).Regions} regions, {maps[i].Map.Count(p => p > settings.Threshold)} text pixels")));
Console.WriteLine($"Text pixels per map: median {Percentile(maps.Select(m => (double)m.Map.Count(p => p > settings.Threshold)).ToArray(), 0.5):F0}; regions per map (ours): median {Percentile(maps.Select(m => (double)Ours(m).Regions).ToArray(), 0.5):F0}");

TextDetectionResult Ours(ProbabilityMap m) => TextDetection.FindBoxes(m.Map, m.Width, m.Height, m.ImageWidth, m.ImageHeight, settings);

IReadOnlyList<DetectedBox> OpenCv(ProbabilityMap m) => OpenCvDb.FindBoxes(m.Map, m.Width, m.Height, m.ImageWidth, m.ImageHeight, settings);

List<DetectedItem> Scored(List<IReadOnlyList<DetectedBox>> found) =>
    maps.Select((m, i) => new DetectedItem(m.Truths, found[i].Select(b => new PredictedRegion(b.Quad, b.Score)).ToList())).ToList();

static double MeanMatchedIou(DetectionReport report) => report.PerImage.SelectMany(p => p.Matches).Select(m => m.Iou).DefaultIfEmpty(0).Average();

static string Show(Estimate e) => $"{e.Value:F4} ({e.Low:F4}–{e.High:F4})";

static double[] BestOf(double[,] ms) =>
    Enumerable.Range(0, ms.GetLength(1)).Select(i => Enumerable.Range(0, ms.GetLength(0)).Min(r => ms[r, i])).ToArray();

static double Percentile(double[] values, double q)
{
    var sorted = values.Order().ToArray();
    var at = q * (sorted.Length - 1);
    var low = (int)Math.Floor(at);
    return low + 1 < sorted.Length ? sorted[low] + (at - low) * (sorted[low + 1] - sorted[low]) : sorted[low];
}

static string RepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QualityHub.sln")))
            {
                return dir.FullName;
            }
        }
    }

    throw new DirectoryNotFoundException("Run from inside the QualityHub repository (QualityHub.sln not found above the current directory).");
}

/// <summary>One photo's probability map as the detector gave it, the photo's size, and its true lines.</summary>
internal sealed record ProbabilityMap(float[] Map, int Width, int Height, int ImageWidth, int ImageHeight, IReadOnlyList<TrueRegion> Truths);
