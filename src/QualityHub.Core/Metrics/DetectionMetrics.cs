namespace QualityHub.Core.Metrics;

/// <summary>
/// A true text region of an image. <see cref="DontCare"/> marks one the annotators could not read (ICDAR's "###"): a
/// prediction matched to it is neither right nor wrong, and it is not a miss when nothing finds it.
/// </summary>
public sealed record TrueRegion(Quad Quad, bool DontCare = false);

/// <summary>A region the detector returned, with its score (higher is surer); the score decides which are kept under the cap.</summary>
public sealed record PredictedRegion(Quad Quad, double Score);

/// <summary>One image: its true regions and the detector's answer.</summary>
public sealed record DetectedItem(IReadOnlyList<TrueRegion> Truths, IReadOnlyList<PredictedRegion> Predictions);

/// <summary>
/// How regions are matched: a pair counts from <see cref="IouThreshold"/> (inclusive, in (0, 1]) up. Of an image's
/// predictions only the <see cref="MaxPredictionsPerImage"/> with the highest scores are evaluated, so a detector that
/// returns thousands of boxes is capped (and the report says where) instead of stalling a run.
/// </summary>
public sealed record DetectionSettings(double IouThreshold = 0.5, int MaxPredictionsPerImage = 1000);

/// <summary>A true region and the predicted region matched to it, as indices into the image's lists, and their IoU.</summary>
public sealed record RegionMatch(int Truth, int Prediction, double Iou);

/// <summary>
/// One image scored. TrueCount: true regions that count (don't-care ones left out). PredictedCount: predictions that
/// count (kept under the cap, not matched to a don't-care region). MatchedCount: predictions matched to a true region
/// that counts. Precision, Recall and HMean of the image alone, with the conventions of <see cref="DetectionMetrics"/>.
/// For drawing: <see cref="Matches"/> (in the order they were made, IoU descending), <see cref="Ignored"/> (predictions
/// matched to a don't-care region), <see cref="Missed"/> (true regions that count and were not found),
/// <see cref="FalseAlarms"/> (kept predictions matched to nothing); all indices into the image's lists. The
/// <see cref="Dropped"/> predictions over the cap, the lowest-scoring, are in none of these lists.
/// </summary>
public sealed record ImageDetection(
    int TrueCount,
    int PredictedCount,
    int MatchedCount,
    double Precision,
    double Recall,
    double HMean,
    IReadOnlyList<RegionMatch> Matches,
    IReadOnlyList<RegionMatch> Ignored,
    IReadOnlyList<int> Missed,
    IReadOnlyList<int> FalseAlarms,
    int Dropped);

/// <summary>An image whose detector returned more than the cap: it returned <see cref="Predictions"/> and the <see cref="Dropped"/> lowest-scoring were not evaluated.</summary>
public sealed record CappedImage(int Image, int Predictions, int Dropped);

/// <summary>
/// Everything measured about a text detector on one dataset. Precision (the share of counted predictions that match a
/// true region), Recall (the share of counted true regions found) and HMean (their harmonic mean) pool the counts of
/// all images (micro-averaged, as ICDAR reports a method), each with its 95 % bootstrap interval over images.
/// IgnoredCount: predictions matched to don't-care regions. <see cref="Capped"/> lists the images over the cap, in order.
/// </summary>
public sealed record DetectionReport(
    int Images,
    int TrueCount,
    int PredictedCount,
    int MatchedCount,
    int IgnoredCount,
    Estimate Precision,
    Estimate Recall,
    Estimate HMean,
    DetectionSettings Settings,
    IReadOnlyList<ImageDetection> PerImage,
    IReadOnlyList<CappedImage> Capped);

/// <summary>
/// Text-detection metrics, ICDAR 2015 style (incidental scene text, IoU matching).
/// <para>
/// Matching, per image, is greedy by IoU: every pair of a true region and a kept prediction whose IoU reaches the
/// threshold is a candidate; candidates are taken highest IoU first (ties: lower true index, then lower prediction
/// index), and a pair is made when neither region is matched yet. Don't-care regions take part like the others, so a
/// prediction that fits a don't-care region best is matched to it and ignored. Greedy is not a maximum matching: taking
/// the best pair first can cost a match an assignment would make. ICDAR's own script differs in three ways: it takes
/// true regions, then predictions, in file order rather than by IoU; it needs IoU strictly above the threshold; and it
/// first sets aside predictions lying more than half inside a don't-care region, whether or not they reach the threshold.
/// </para>
/// <para>
/// Zero denominators follow ICDAR's rule for one image, applied to the pooled counts (pooling treats the set as one
/// image): with no true regions recall is 1 (nothing to find, nothing missed); with no predictions precision is 1 when
/// there were no true regions either and 0 otherwise (a silent detector is not precise on images with text); HMean is
/// 0 when precision and recall are both 0. So a set of images without text and a detector that stays silent scores 1;
/// ICDAR's script scores such a set 0, and agrees with these figures on every set with a true region.
/// </para>
/// </summary>
public static class DetectionMetrics
{
    /// <summary>
    /// Scores <paramref name="images"/>. Intervals resample images, so regions of one image stay together. Throws
    /// <see cref="ArgumentException"/> for a region without four finite corners or a NaN score, naming the image and
    /// region (indices from 0), and for settings out of range.
    /// </summary>
    public static DetectionReport Compute(IReadOnlyList<DetectedItem> images, BootstrapSettings? bootstrap = null, DetectionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = Checked(settings ?? new DetectionSettings());
        var n = images.Count;
        var perImage = new ImageDetection[n];
        var (matched, predicted, truths) = (new int[n], new int[n], new int[n]);
        var capped = new List<CappedImage>();
        for (var i = 0; i < n; i++)
        {
            var image = perImage[i] = Match(i, images[i], s);
            (matched[i], predicted[i], truths[i]) = (image.MatchedCount, image.PredictedCount, image.TrueCount);
            if (image.Dropped > 0)
            {
                capped.Add(new CappedImage(i, images[i].Predictions.Count, image.Dropped));
            }
        }

        // The three statistics read the same resamples: Bootstrap.Of draws the same indices for the same settings.
        (double Precision, double Recall, double HMean) Pooled(int[] indices)
        {
            long m = 0, p = 0, t = 0;
            foreach (var i in indices)
            {
                (m, p, t) = (m + matched[i], p + predicted[i], t + truths[i]);
            }

            return Rates(m, p, t);
        }

        var all = Pooled([.. Enumerable.Range(0, n)]);
        return new DetectionReport(
            n,
            truths.Sum(),
            predicted.Sum(),
            matched.Sum(),
            perImage.Sum(i => i.Ignored.Count),
            Bootstrap.Of(n, all.Precision, indices => Pooled(indices).Precision, bootstrap),
            Bootstrap.Of(n, all.Recall, indices => Pooled(indices).Recall, bootstrap),
            Bootstrap.Of(n, all.HMean, indices => Pooled(indices).HMean, bootstrap),
            s,
            perImage,
            capped);
    }

    /// <summary>Precision, recall and H-mean of counts, with the zero-denominator conventions above.</summary>
    internal static (double Precision, double Recall, double HMean) Rates(long matched, long predicted, long truths)
    {
        var recall = truths == 0 ? 1 : (double)matched / truths;
        var precision = predicted == 0 ? (truths == 0 ? 1 : 0) : (double)matched / predicted;
        var hmean = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, hmean);
    }

    private static DetectionSettings Checked(DetectionSettings settings)
    {
        if (!(settings.IouThreshold > 0 && settings.IouThreshold <= 1))
        {
            throw new ArgumentException($"The IoU threshold is in (0, 1], not {settings.IouThreshold}: at 0 every pair would match.", nameof(settings));
        }

        if (settings.MaxPredictionsPerImage < 1)
        {
            throw new ArgumentException($"At least one prediction per image must be kept, not {settings.MaxPredictionsPerImage}.", nameof(settings));
        }

        return settings;
    }

    private static ImageDetection Match(int index, DetectedItem image, DetectionSettings settings)
    {
        if (image?.Truths is null || image.Predictions is null)
        {
            throw new ArgumentException($"Image {index} has no list of true or predicted regions.", "images");
        }

        var truths = new ConvexRegion[image.Truths.Count];
        for (var t = 0; t < truths.Length; t++)
        {
            truths[t] = ConvexRegion.Of(Checked(image.Truths[t]?.Quad, index, "true", t));
        }

        var predictions = new ConvexRegion[image.Predictions.Count];
        for (var p = 0; p < predictions.Length; p++)
        {
            var region = image.Predictions[p];
            predictions[p] = ConvexRegion.Of(Checked(region?.Quad, index, "predicted", p));
            if (double.IsNaN(region!.Score))
            {
                throw new ArgumentException($"Image {index}, predicted region {p}: the score is NaN.", "images");
            }
        }

        var kept = Kept(image.Predictions, settings.MaxPredictionsPerImage);
        var candidates = new List<RegionMatch>();
        for (var t = 0; t < truths.Length; t++)
        {
            foreach (var p in kept)
            {
                if (truths[t].Iou(predictions[p]) is var iou && iou >= settings.IouThreshold)
                {
                    candidates.Add(new RegionMatch(t, p, iou));
                }
            }
        }

        candidates.Sort((a, b) => a.Iou != b.Iou ? b.Iou.CompareTo(a.Iou) : a.Truth != b.Truth ? a.Truth.CompareTo(b.Truth) : a.Prediction.CompareTo(b.Prediction));
        var truthTaken = new bool[truths.Length];
        var predictionTaken = new bool[predictions.Length];
        var (matches, ignored) = (new List<RegionMatch>(), new List<RegionMatch>());
        foreach (var pair in candidates)
        {
            if (truthTaken[pair.Truth] || predictionTaken[pair.Prediction])
            {
                continue;
            }

            (truthTaken[pair.Truth], predictionTaken[pair.Prediction]) = (true, true);
            (image.Truths[pair.Truth].DontCare ? ignored : matches).Add(pair);
        }

        var missed = Enumerable.Range(0, truths.Length).Where(t => !truthTaken[t] && !image.Truths[t].DontCare).ToList();
        var falseAlarms = kept.Where(p => !predictionTaken[p]).Order().ToList();
        var trueCount = image.Truths.Count(t => !t.DontCare);
        var predictedCount = kept.Length - ignored.Count;
        var (precision, recall, hmean) = Rates(matches.Count, predictedCount, trueCount);
        return new ImageDetection(
            trueCount, predictedCount, matches.Count, precision, recall, hmean, matches, ignored, missed, falseAlarms, predictions.Length - kept.Length);
    }

    private static Quad Checked(Quad? quad, int image, string kind, int region) =>
        Polygons.Problem(quad) is { } problem ? throw new ArgumentException($"Image {image}, {kind} region {region}: {problem}.", "images") : quad!;

    // The indices of the predictions evaluated: all of them, or the `cap` with the highest scores (ties: lower index first).
    private static int[] Kept(IReadOnlyList<PredictedRegion> predictions, int cap)
    {
        var all = Enumerable.Range(0, predictions.Count);
        return predictions.Count <= cap
            ? [.. all]
            : [.. all.OrderByDescending(p => predictions[p].Score).ThenBy(p => p).Take(cap)];
    }
}
