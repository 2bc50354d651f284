namespace QualityHub.Core.Metrics;

/// <summary>One recogniser answer. <see cref="Predicted"/> is null when the model failed (an empty string for distances, never exact).</summary>
public sealed record RecognizedItem(string Truth, string? Predicted, IReadOnlyList<string> Tags);

/// <summary>Text metrics on the samples carrying one tag.</summary>
public sealed record TextSliceStats(string Tag, int Count, double ExactMatch, double CharacterErrorRate, double NormalizedEditDistance);

/// <summary>Everything measured about a recogniser on one dataset.</summary>
public sealed record TextRecognitionReport(
    int Count,
    int Failed,
    Estimate ExactMatch,
    Estimate CharacterErrorRate,
    Estimate NormalizedEditDistance,
    double MeanEditDistance,
    IReadOnlyList<TextSliceStats> PerTag);

/// <summary>Text-recognition metrics from per-sample answers.</summary>
public static class TextRecognitionMetrics
{
    /// <summary>
    /// Exact-match rate (ordinal equality), character error rate (the sum of Levenshtein distances over the sum of
    /// ground-truth lengths: micro CER), mean normalised edit distance, mean edit distance, and each per tag.
    /// </summary>
    public static TextRecognitionReport Compute(IReadOnlyList<RecognizedItem> items, BootstrapSettings? bootstrap = null)
    {
        var n = items.Count;
        var exact = new double[n];
        var distance = new double[n];
        var length = new double[n];
        var normalized = new double[n];
        for (var i = 0; i < n; i++)
        {
            var predicted = items[i].Predicted ?? "";
            var truth = items[i].Truth;
            exact[i] = items[i].Predicted is not null && predicted == truth ? 1 : 0;
            distance[i] = EditDistance.Levenshtein(predicted, truth);
            length[i] = truth.Length;
            normalized[i] = EditDistance.Normalized(predicted, truth);
        }

        var perTag = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            foreach (var tag in items[i].Tags.Distinct())
            {
                if (!perTag.TryGetValue(tag, out var list))
                {
                    perTag[tag] = list = [];
                }

                list.Add(i);
            }
        }

        return new TextRecognitionReport(
            n,
            items.Count(i => i.Predicted is null),
            Bootstrap.Mean(exact, bootstrap),
            Bootstrap.Ratio(distance, length, bootstrap),
            Bootstrap.Mean(normalized, bootstrap),
            n == 0 ? 0 : distance.Average(),
            perTag.Select(t =>
            {
                var totalLength = t.Value.Sum(i => length[i]);
                return new TextSliceStats(
                    t.Key, t.Value.Count, t.Value.Average(i => exact[i]),
                    totalLength == 0 ? 0 : t.Value.Sum(i => distance[i]) / totalLength, t.Value.Average(i => normalized[i]));
            }).ToList());
    }
}
