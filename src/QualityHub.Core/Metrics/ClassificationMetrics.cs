namespace QualityHub.Core.Metrics;

/// <summary>
/// One classifier answer to one sample. <see cref="Predicted"/> is null when the model failed on the sample: it
/// counts as wrong, never as a class. TopK: labels best first (may be empty). Tags: the sample's kinds.
/// </summary>
public sealed record ClassifiedItem(string Truth, string? Predicted, double Confidence, IReadOnlyList<string> TopK, IReadOnlyList<string> Tags);

/// <summary>Precision, recall and F1 of one class; Support counts the samples of that class (failed ones included).</summary>
public sealed record ClassStats(string Label, int Support, int PredictedCount, double Precision, double Recall, double F1);

/// <summary>Rows = true label, columns = predicted label, both in Labels order; Failed[i]: samples of true label i with no prediction.</summary>
public sealed record ConfusionMatrix(IReadOnlyList<string> Labels, int[][] Counts, int[] Failed);

/// <summary>One confidence bin of a reliability diagram.</summary>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double Accuracy);

/// <summary>Expected calibration error over 10 equal-width confidence bins, and the bins.</summary>
public sealed record Calibration(double ExpectedCalibrationError, IReadOnlyList<ReliabilityBin> Bins);

/// <summary>The score on the samples carrying one tag (a dataset kind), with its interval.</summary>
public sealed record SliceStats(string Tag, int Count, Estimate Score);

/// <summary>The share of samples whose true label is among the first K answers.</summary>
public sealed record TopKAccuracy(int K, double Accuracy);

/// <summary>Everything measured about a classifier on one dataset.</summary>
public sealed record ClassificationReport(
    int Count,
    int Failed,
    Estimate Accuracy,
    IReadOnlyList<TopKAccuracy> TopK,
    IReadOnlyList<ClassStats> PerClass,
    Estimate MacroF1,
    double WeightedF1,
    ConfusionMatrix Confusion,
    Calibration Calibration,
    IReadOnlyList<SliceStats> PerTag);

/// <summary>Classification metrics from per-sample answers.</summary>
public static class ClassificationMetrics
{
    public const int CalibrationBins = 10;

    /// <summary>
    /// Computes the report. Labels not in <paramref name="labels"/> (in the truth or the answers) are appended in
    /// first-seen order. Precision, recall or F1 with a zero denominator are 0 (scikit-learn's zero_division=0).
    /// Macro F1 averages over the labels that occur in the truth or the answers (scikit-learn's default without
    /// labels=), so a class absent from both does not drag it down; weighted F1 weights by support.
    /// </summary>
    public static ClassificationReport Compute(IReadOnlyList<string> labels, IReadOnlyList<ClassifiedItem> items, BootstrapSettings? bootstrap = null)
    {
        var all = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            if (index.TryAdd(label, all.Count))
            {
                all.Add(label);
            }
        }

        int IndexOf(string label)
        {
            if (!index.TryGetValue(label, out var i))
            {
                i = all.Count;
                all.Add(label);
                index[label] = i;
            }

            return i;
        }

        var n = items.Count;
        var truth = new int[n];
        var predicted = new int[n]; // −1: failed
        var correct = new double[n];
        for (var i = 0; i < n; i++)
        {
            truth[i] = IndexOf(items[i].Truth);
            predicted[i] = items[i].Predicted is { } p ? IndexOf(p) : -1;
            correct[i] = predicted[i] == truth[i] ? 1 : 0;
        }

        var k = all.Count;
        var counts = new int[k][];
        for (var i = 0; i < k; i++)
        {
            counts[i] = new int[k];
        }

        var failed = new int[k];
        for (var i = 0; i < n; i++)
        {
            if (predicted[i] < 0)
            {
                failed[truth[i]]++;
            }
            else
            {
                counts[truth[i]][predicted[i]]++;
            }
        }

        var perClass = PerClass(all, truth, predicted, out var weightedF1);

        // Accuracy and macro F1 depend only on how many resampled items fall in each cell of the confusion matrix (a
        // failed answer is a column of its own), so one bootstrap over cell counts gives both. The slices run alongside.
        var cells = new int[n];
        for (var i = 0; i < n; i++)
        {
            cells[i] = Cell(k, truth[i], predicted[i]);
        }

        Estimate[] fromCounts = null!;
        IReadOnlyList<SliceStats> slices = null!;
        Parallel.Invoke(
            () => fromCounts = Bootstrap.OfCounts(cells, k * (k + 1), [c => AccuracyOf(c, k, n), c => MacroF1Of(c, k)], bootstrap),
            () => slices = Slices(items.Select(i => i.Tags).ToList(), correct, bootstrap));
        var (accuracy, macro) = (fromCounts[0], fromCounts[1]);

        return new ClassificationReport(
            n,
            predicted.Count(p => p < 0),
            accuracy,
            TopK(items),
            perClass,
            macro,
            weightedF1,
            new ConfusionMatrix(all, counts, failed),
            Calibrate(items, correct),
            slices);
    }

    /// <summary>Per-class precision/recall/F1 and the support-weighted F1 over all items (predicted −1: failed).</summary>
    private static List<ClassStats> PerClass(IReadOnlyList<string> labels, int[] truth, int[] predicted, out double weightedF1)
    {
        var k = labels.Count;
        var tp = new int[k];
        var support = new int[k];
        var predictedCount = new int[k];
        for (var i = 0; i < truth.Length; i++)
        {
            support[truth[i]]++;
            if (predicted[i] >= 0)
            {
                predictedCount[predicted[i]]++;
                if (predicted[i] == truth[i])
                {
                    tp[truth[i]]++;
                }
            }
        }

        var stats = new List<ClassStats>(k);
        double weightedSum = 0;
        var totalSupport = 0;
        for (var c = 0; c < k; c++)
        {
            var precision = predictedCount[c] == 0 ? 0 : (double)tp[c] / predictedCount[c];
            var recall = support[c] == 0 ? 0 : (double)tp[c] / support[c];
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            stats.Add(new ClassStats(labels[c], support[c], predictedCount[c], precision, recall, f1));
            weightedSum += f1 * support[c];
            totalSupport += support[c];
        }

        weightedF1 = totalSupport == 0 ? 0 : weightedSum / totalSupport;
        return stats;
    }

    // Cell (t, p) of a confusion table laid out as in Compute: truth t, predicted p, or p = −1 for a failed answer.
    private static int Cell(int k, int truth, int predicted) => (truth * (k + 1)) + predicted + 1;

    private static double AccuracyOf(int[] counts, int k, int n)
    {
        var right = 0;
        for (var c = 0; c < k; c++)
        {
            right += counts[Cell(k, c, c)];
        }

        return n == 0 ? 0 : (double)right / n;
    }

    /// <summary>Macro F1 from a confusion table: the mean F1 over the classes that occur as truth or as answer.</summary>
    private static double MacroF1Of(int[] counts, int k)
    {
        double sum = 0;
        var present = 0;
        for (var c = 0; c < k; c++)
        {
            int support = 0, predictedCount = 0;
            for (var other = -1; other < k; other++)
            {
                support += counts[Cell(k, c, other)];
            }

            for (var t = 0; t < k; t++)
            {
                predictedCount += counts[Cell(k, t, c)];
            }

            if (support == 0 && predictedCount == 0)
            {
                continue;
            }

            var tp = counts[Cell(k, c, c)];
            var precision = predictedCount == 0 ? 0 : (double)tp / predictedCount;
            var recall = support == 0 ? 0 : (double)tp / support;
            sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            present++;
        }

        return present == 0 ? 0 : sum / present;
    }

    private static List<TopKAccuracy> TopK(IReadOnlyList<ClassifiedItem> items)
    {
        var maxK = Math.Max(1, items.Count == 0 ? 1 : items.Max(i => i.TopK.Count));
        var hits = new int[maxK + 1];
        foreach (var item in items)
        {
            if (item.Predicted is null)
            {
                continue;
            }

            // The first position of the truth among the answers; a missing top-k falls back to the prediction.
            var position = item.TopK.Count > 0 ? IndexOf(item.TopK, item.Truth) : item.Predicted == item.Truth ? 0 : -1;
            if (position >= 0)
            {
                hits[position + 1]++;
            }
        }

        var result = new List<TopKAccuracy>(maxK);
        var cumulative = 0;
        for (var k = 1; k <= maxK; k++)
        {
            cumulative += hits[k];
            result.Add(new TopKAccuracy(k, items.Count == 0 ? 0 : (double)cumulative / items.Count));
        }

        return result;
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Bins of width 0.1 by confidence (1.0 falls in the last); failed items are left out.</summary>
    private static Calibration Calibrate(IReadOnlyList<ClassifiedItem> items, double[] correct)
    {
        var count = new int[CalibrationBins];
        var confidence = new double[CalibrationBins];
        var right = new double[CalibrationBins];
        var total = 0;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Predicted is null)
            {
                continue;
            }

            var c = Math.Clamp(items[i].Confidence, 0, 1);
            var bin = Math.Min(CalibrationBins - 1, (int)(c * CalibrationBins));
            count[bin]++;
            confidence[bin] += c;
            right[bin] += correct[i];
            total++;
        }

        var bins = new List<ReliabilityBin>(CalibrationBins);
        var ece = 0.0;
        for (var b = 0; b < CalibrationBins; b++)
        {
            var meanConfidence = count[b] == 0 ? 0 : confidence[b] / count[b];
            var accuracy = count[b] == 0 ? 0 : right[b] / count[b];
            bins.Add(new ReliabilityBin((double)b / CalibrationBins, (double)(b + 1) / CalibrationBins, count[b], meanConfidence, accuracy));
            if (total > 0)
            {
                ece += (double)count[b] / total * Math.Abs(accuracy - meanConfidence);
            }
        }

        return new Calibration(ece, bins);
    }

    /// <summary>The mean of <paramref name="scores"/> over the samples of each tag, tags in ordinal order.</summary>
    internal static List<SliceStats> Slices(IReadOnlyList<IReadOnlyList<string>> tags, double[] scores, BootstrapSettings? bootstrap)
    {
        var byTag = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            foreach (var tag in tags[i].Distinct())
            {
                if (!byTag.TryGetValue(tag, out var list))
                {
                    byTag[tag] = list = [];
                }

                list.Add(scores[i]);
            }
        }

        return byTag.Select(t => new SliceStats(t.Key, t.Value.Count, Bootstrap.Mean(t.Value, bootstrap))).ToList();
    }
}
