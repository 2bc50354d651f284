namespace QualityHub.Core.Metrics;

/// <summary>One recogniser answer. <see cref="Predicted"/> is null when the model failed (an empty string for distances, never exact).</summary>
public sealed record RecognizedItem(string Truth, string? Predicted, IReadOnlyList<string> Tags);

/// <summary>Text metrics on the samples carrying one tag.</summary>
public sealed record TextSliceStats(string Tag, int Count, double ExactMatch, double CharacterErrorRate, double NormalizedEditDistance);

/// <summary>
/// Everything measured about a recogniser on one dataset, comparing texts exactly. <see cref="UnderRule"/> holds the
/// same scores with both texts normalised by the module's comparison rule (null when the rule is exact).
/// </summary>
public sealed record TextRecognitionReport(
    int Count,
    int Failed,
    Estimate ExactMatch,
    Estimate CharacterErrorRate,
    Estimate NormalizedEditDistance,
    double MeanEditDistance,
    IReadOnlyList<TextSliceStats> PerTag,
    TextScores? UnderRule = null);

/// <summary>Exact match, CER and edit distances with texts compared under <see cref="Rule"/> (<see cref="Description"/> in words).</summary>
public sealed record TextScores(TextComparison Rule, string Description, Estimate ExactMatch, Estimate CharacterErrorRate, Estimate NormalizedEditDistance, double MeanEditDistance);

/// <summary>Text-recognition metrics from per-sample answers.</summary>
public static class TextRecognitionMetrics
{
    /// <summary>
    /// Exact-match rate (ordinal equality), character error rate (the sum of Levenshtein distances over the sum of
    /// ground-truth lengths: micro CER), mean normalised edit distance, mean edit distance, and each per tag; with a
    /// <paramref name="rule"/> other than exact, the four scores again with both texts normalised by it.
    /// </summary>
    public static TextRecognitionReport Compute(IReadOnlyList<RecognizedItem> items, BootstrapSettings? bootstrap = null, TextComparison rule = TextComparison.Exact)
    {
        ArgumentNullException.ThrowIfNull(items);
        var raw = Scores(items, bootstrap, TextComparison.Exact, out var exact, out var distance, out var length, out var normalized);
        var underRule = rule == TextComparison.Exact ? null : Scores(items, bootstrap, rule, out _, out _, out _, out _);
        var n = items.Count;
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
            raw.ExactMatch,
            raw.CharacterErrorRate,
            raw.NormalizedEditDistance,
            raw.MeanEditDistance,
            perTag.Select(t =>
            {
                var totalLength = t.Value.Sum(i => length[i]);
                return new TextSliceStats(
                    t.Key, t.Value.Count, t.Value.Average(i => exact[i]),
                    totalLength == 0 ? 0 : t.Value.Sum(i => distance[i]) / totalLength, t.Value.Average(i => normalized[i]));
            }).ToList(),
            underRule);
    }

    // The four scores with both texts normalised by the rule, and the per-item figures they come from.
    private static TextScores Scores(
        IReadOnlyList<RecognizedItem> items, BootstrapSettings? bootstrap, TextComparison rule, out double[] exact, out double[] distance, out double[] length, out double[] normalized)
    {
        var n = items.Count;
        (exact, distance, length, normalized) = (new double[n], new double[n], new double[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            var predicted = TextComparisons.Normalize(items[i].Predicted ?? "", rule);
            var truth = TextComparisons.Normalize(items[i].Truth, rule);
            exact[i] = items[i].Predicted is not null && predicted == truth ? 1 : 0;
            distance[i] = EditDistance.Levenshtein(predicted, truth);
            length[i] = truth.Length;
            normalized[i] = EditDistance.Normalized(predicted, truth);
        }

        return new TextScores(rule, TextComparisons.Describe(rule), Bootstrap.Mean(exact, bootstrap), Bootstrap.Ratio(distance, length, bootstrap),
            Bootstrap.Mean(normalized, bootstrap), n == 0 ? 0 : distance.Average());
    }
}
