using System.Globalization;
using System.Text.Json;
using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

/// <summary>Our metrics against values scikit-learn, SciPy and NumPy computed from the same inputs (tools/metrics_reference.py).</summary>
public sealed class MetricsReferenceTests
{
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Metrics", "reference-metrics.json"))).RootElement;

    private static IReadOnlyList<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static (IReadOnlyList<string> Labels, List<ClassifiedItem> Items, JsonElement Expected) Classification()
    {
        var c = Reference.GetProperty("classification");
        var items = c.GetProperty("items").EnumerateArray().Select(i => new ClassifiedItem(
            i.GetProperty("truth").GetString()!,
            i.GetProperty("predicted").GetString(),
            i.GetProperty("confidence").GetDouble(),
            Strings(i.GetProperty("topK")),
            Strings(i.GetProperty("tags")))).ToList();
        return (Strings(c.GetProperty("labels")), items, c.GetProperty("expected"));
    }

    [Fact]
    public void Accuracy_top_k_and_calibration_error_match_the_reference()
    {
        var (labels, items, expected) = Classification();

        var report = ClassificationMetrics.Compute(labels, items);

        Assert.Equal(expected.GetProperty("accuracy").GetDouble(), report.Accuracy.Value, precision: 12);
        Assert.Equal(Doubles(expected.GetProperty("topK")), report.TopK.Select(k => Math.Round(k.Accuracy, 12)).ToArray(), new RoundedComparer());
        Assert.Equal(expected.GetProperty("ece").GetDouble(), report.Calibration.ExpectedCalibrationError, precision: 12);
        Assert.Equal(items.Count(i => i.Predicted is null), report.Failed);
    }

    [Fact]
    public void Per_class_precision_recall_f1_and_the_averages_match_scikit_learn()
    {
        var (labels, items, expected) = Classification();

        var report = ClassificationMetrics.Compute(labels, items);

        Assert.Equal(Doubles(expected.GetProperty("precision")), report.PerClass.Select(c => c.Precision).ToArray(), new RoundedComparer());
        Assert.Equal(Doubles(expected.GetProperty("recall")), report.PerClass.Select(c => c.Recall).ToArray(), new RoundedComparer());
        Assert.Equal(Doubles(expected.GetProperty("f1")), report.PerClass.Select(c => c.F1).ToArray(), new RoundedComparer());
        Assert.Equal(Doubles(expected.GetProperty("support")), report.PerClass.Select(c => (double)c.Support).ToArray());
        Assert.Equal(expected.GetProperty("macroF1").GetDouble(), report.MacroF1.Value, precision: 12);
        Assert.Equal(expected.GetProperty("weightedF1").GetDouble(), report.WeightedF1, precision: 12);
    }

    [Fact]
    public void The_confusion_matrix_matches_scikit_learn_and_failures_are_counted_apart()
    {
        var (labels, items, expected) = Classification();

        var report = ClassificationMetrics.Compute(labels, items);

        var rows = expected.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        Assert.Equal(labels, report.Confusion.Labels);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i], report.Confusion.Counts[i]);
        }

        Assert.Equal(expected.GetProperty("failed").EnumerateArray().Select(v => v.GetInt32()), report.Confusion.Failed);
    }

    [Fact]
    public void Accuracy_per_tag_matches_the_reference()
    {
        var (labels, items, expected) = Classification();

        var report = ClassificationMetrics.Compute(labels, items);

        foreach (var tag in expected.GetProperty("perTag").EnumerateObject())
        {
            var slice = report.PerTag.Single(t => t.Tag == tag.Name);
            Assert.Equal(tag.Value.GetProperty("count").GetInt32(), slice.Count);
            Assert.Equal(tag.Value.GetProperty("accuracy").GetDouble(), slice.Score.Value, precision: 12);
        }
    }

    [Fact]
    public void Text_metrics_match_a_full_table_levenshtein_written_apart()
    {
        var t = Reference.GetProperty("text");
        var items = t.GetProperty("items").EnumerateArray().Select(i => new RecognizedItem(
            i.GetProperty("truth").GetString()!, i.GetProperty("predicted").GetString(), Strings(i.GetProperty("tags")))).ToList();
        var expected = t.GetProperty("expected");

        var report = TextRecognitionMetrics.Compute(items);

        Assert.Equal(Doubles(expected.GetProperty("distances")),
            items.Select(i => (double)EditDistance.Levenshtein(i.Predicted ?? "", i.Truth)).ToArray());
        Assert.Equal(expected.GetProperty("exactMatch").GetDouble(), report.ExactMatch.Value, precision: 12);
        Assert.Equal(expected.GetProperty("cer").GetDouble(), report.CharacterErrorRate.Value, precision: 12);
        Assert.Equal(expected.GetProperty("normalizedEditDistance").GetDouble(), report.NormalizedEditDistance.Value, precision: 12);
        Assert.Equal(expected.GetProperty("meanEditDistance").GetDouble(), report.MeanEditDistance, precision: 12);
        Assert.Equal(items.Count(i => i.Predicted is null), report.Failed);
        foreach (var tag in expected.GetProperty("perTag").EnumerateObject())
        {
            var slice = report.PerTag.Single(s => s.Tag == tag.Name);
            Assert.Equal(tag.Value.GetProperty("count").GetInt32(), slice.Count);
            Assert.Equal(tag.Value.GetProperty("exactMatch").GetDouble(), slice.ExactMatch, precision: 12);
            Assert.Equal(tag.Value.GetProperty("cer").GetDouble(), slice.CharacterErrorRate, precision: 12);
        }
    }

    [Fact]
    public void Percentiles_interpolate_as_numpy_does()
    {
        var latency = Reference.GetProperty("latency");
        var sorted = Doubles(latency.GetProperty("values")).Order().ToArray();

        foreach (var p in latency.GetProperty("percentiles").EnumerateObject())
        {
            Assert.Equal(p.Value.GetDouble(), LatencyStats.Percentile(sorted, double.Parse(p.Name, CultureInfo.InvariantCulture)), precision: 10);
        }

        var summary = LatencyStats.Summarize(Doubles(latency.GetProperty("values")));
        Assert.Equal(latency.GetProperty("percentiles").GetProperty("95").GetDouble(), summary.P95Ms, precision: 10);
        Assert.Equal(sorted[^1], summary.MaxMs);
    }

    [Fact]
    public void McNemar_p_values_match_scipy_exact_binomial_and_chi_square()
    {
        foreach (var c in Reference.GetProperty("mcnemar").EnumerateArray())
        {
            var (both, onlyA, onlyB, neither) = (c.GetProperty("both").GetInt32(), c.GetProperty("onlyA").GetInt32(), c.GetProperty("onlyB").GetInt32(), c.GetProperty("neither").GetInt32());
            var a = new List<bool>();
            var b = new List<bool>();
            void Add(int count, bool ra, bool rb)
            {
                a.AddRange(Enumerable.Repeat(ra, count));
                b.AddRange(Enumerable.Repeat(rb, count));
            }

            Add(both, true, true);
            Add(onlyA, true, false);
            Add(onlyB, false, true);
            Add(neither, false, false);

            var result = PairedTests.McNemar(a, b);

            Assert.Equal((both, onlyA, onlyB, neither), (result.Both, result.OnlyA, result.OnlyB, result.Neither));
            Assert.Equal(c.GetProperty("method").GetString(), result.Method);
            var expected = c.GetProperty("pValue").GetDouble();
            Assert.True(Math.Abs(expected - result.PValue) <= 1e-10 * Math.Max(1, expected) + 1e-14, $"p {result.PValue} vs scipy {expected} for {c}");
            Assert.Equal(expected < PairedTests.Alpha, result.Significant);
        }
    }

    [Fact]
    public void Erfc_matches_the_c_library_to_ten_digits()
    {
        foreach (var x in Reference.GetProperty("erfc").EnumerateObject())
        {
            var expected = x.Value.GetDouble();
            var actual = PairedTests.Erfc(double.Parse(x.Name, CultureInfo.InvariantCulture));
            Assert.True(Math.Abs(actual - expected) <= 1e-10 * expected, $"erfc({x.Name}) = {actual}, libm says {expected}");
        }
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;

        public int GetHashCode(double obj) => 0;
    }
}
