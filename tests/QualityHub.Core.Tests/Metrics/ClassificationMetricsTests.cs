using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class ClassificationMetricsTests
{
    private static ClassifiedItem Item(string truth, string? predicted, double confidence = 0.9, params string[] tags) =>
        new(truth, predicted, confidence, predicted is null ? [] : [predicted], tags);

    [Fact]
    public void Accuracy_counts_only_exact_label_matches_and_a_failure_is_wrong()
    {
        var report = ClassificationMetrics.Compute(["cat", "dog"], [Item("cat", "cat"), Item("cat", "Cat"), Item("dog", null), Item("dog", "dog")]);

        Assert.Equal(0.5, report.Accuracy.Value);
        Assert.Equal(1, report.Failed);
        Assert.Equal([0, 1, 0], report.Confusion.Failed);
        Assert.Equal("Cat", report.Confusion.Labels[2]);
    }

    [Fact]
    public void A_truth_outside_the_label_list_gets_its_own_row_instead_of_a_crash()
    {
        var report = ClassificationMetrics.Compute(["cat"], [Item("cat", "cat"), Item("fox", "cat")]);

        Assert.Equal(["cat", "fox"], report.Confusion.Labels);
        Assert.Equal([1, 0], report.Confusion.Counts[0]);
        Assert.Equal([1, 0], report.Confusion.Counts[1]);
        Assert.Equal(0.5, report.PerClass[0].Precision);
        Assert.Equal(0, report.PerClass[1].F1);
    }

    [Fact]
    public void Calibration_bins_hold_items_by_confidence_and_a_confidence_of_one_falls_in_the_last()
    {
        var report = ClassificationMetrics.Compute(["a"], [Item("a", "a", 1.0), Item("a", "a", 0.95), Item("a", "b", 0.05)]);

        Assert.Equal(10, report.Calibration.Bins.Count);
        Assert.Equal(2, report.Calibration.Bins[9].Count);
        Assert.Equal(1, report.Calibration.Bins[0].Count);
        // |1 − 0.975| · 2/3 + |0 − 0.05| · 1/3
        Assert.Equal(0.025 * 2 / 3 + 0.05 / 3, report.Calibration.ExpectedCalibrationError, precision: 12);
    }

    [Fact]
    public void Slices_are_per_tag_in_name_order_with_intervals()
    {
        var report = ClassificationMetrics.Compute(["a", "b"], [Item("a", "a", tags: "rotated"), Item("a", "b", tags: "blur"), Item("b", "b", tags: ["blur", "rotated"])]);

        Assert.Equal(["blur", "rotated"], report.PerTag.Select(t => t.Tag));
        Assert.Equal(0.5, report.PerTag[0].Score.Value);
        Assert.Equal(1.0, report.PerTag[1].Score.Value);
    }

    [Fact]
    public void Computing_a_hundred_thousand_items_with_intervals_finishes()
    {
        var random = new Random(1);
        var labels = Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray();
        var items = Enumerable.Range(0, 100_000).Select(_ =>
        {
            var truth = labels[random.Next(10)];
            return Item(truth, random.NextDouble() < 0.9 ? truth : labels[random.Next(10)], random.NextDouble(), "t" + random.Next(5));
        }).ToList();

        var report = ClassificationMetrics.Compute(labels, items);

        Assert.Equal(100_000, report.Count);
        Assert.InRange(report.Accuracy.Value, 0.9, 0.92);
        Assert.InRange(report.Accuracy.High - report.Accuracy.Low, 0.002, 0.006);
    }
}
