using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class BootstrapTests
{
    private static double[] Bernoulli(int n, double p, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.NextDouble() < p ? 1.0 : 0.0).ToArray();
    }

    [Fact]
    public void The_interval_of_an_accuracy_agrees_with_the_normal_approximation()
    {
        var values = Bernoulli(2000, 0.8, 7);
        var p = values.Average();

        var estimate = Bootstrap.Mean(values);

        // Independent check: the Wald interval is 2 · 1.96 · √(p(1−p)/n) wide.
        var wald = 2 * 1.96 * Math.Sqrt(p * (1 - p) / values.Length);
        Assert.Equal(p, estimate.Value, precision: 12);
        Assert.InRange(estimate.High - estimate.Low, 0.85 * wald, 1.15 * wald);
        Assert.True(estimate.Low < p && p < estimate.High);
    }

    [Fact]
    public void The_same_seed_gives_the_same_interval_and_another_seed_a_slightly_different_one()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 500).Select(_ => random.NextDouble()).ToArray();

        var first = Bootstrap.Mean(values, new BootstrapSettings(1000, 42));
        var again = Bootstrap.Mean(values, new BootstrapSettings(1000, 42));
        var other = Bootstrap.Mean(values, new BootstrapSettings(1000, 43));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.InRange(other.Low - first.Low, -0.01, 0.01);
    }

    [Fact]
    public void A_ratio_resamples_numerators_and_denominators_together()
    {
        double[] errors = [0, 1, 0, 2, 0, 0, 3, 0, 1, 0];
        double[] lengths = [16, 16, 5, 16, 5, 16, 16, 5, 16, 5];

        var cer = Bootstrap.Ratio(errors, lengths);

        Assert.Equal(7.0 / 116, cer.Value, precision: 12);
        Assert.True(cer.Low >= 0 && cer.Low <= cer.Value && cer.Value <= cer.High);
        Assert.Throws<ArgumentException>(() => Bootstrap.Ratio(errors, lengths[..3]));
    }

    [Fact]
    public void Empty_input_gives_zeros_not_NaN()
    {
        Assert.Equal(new Estimate(0, 0, 0), Bootstrap.Mean([]));
        Assert.Equal(new Estimate(0, 0, 0), Bootstrap.Ratio([], []));
        var report = ClassificationMetrics.Compute(["a", "b"], []);
        Assert.Equal(0, report.Accuracy.Value);
        Assert.Equal(0, report.Calibration.ExpectedCalibrationError);
        var text = TextRecognitionMetrics.Compute([]);
        Assert.Equal(0, text.CharacterErrorRate.Value);
        Assert.Equal(new LatencySummary(0, 0, 0, 0, 0, 0), LatencyStats.Summarize([]));
    }

    [Fact]
    public void A_bootstrap_over_cell_counts_gives_the_interval_a_bootstrap_over_items_gives()
    {
        // 3,000 items in a 2×2 table; the statistic is the share of the diagonal, i.e. an accuracy.
        var random = new Random(11);
        var cells = Enumerable.Range(0, 3000).Select(_ => random.NextDouble() < 0.7 ? (random.Next(2) == 0 ? 0 : 3) : (random.Next(2) == 0 ? 1 : 2)).ToArray();
        var correct = cells.Select(c => c is 0 or 3 ? 1.0 : 0.0).ToArray();
        Func<int[], double> diagonal = counts => (double)(counts[0] + counts[3]) / cells.Length;

        var byCounts = Bootstrap.OfCounts(cells, 4, [diagonal], new BootstrapSettings(2000, 5))[0];
        var byItems = Bootstrap.Mean(correct, new BootstrapSettings(2000, 5));
        var wald = 1.96 * Math.Sqrt(byItems.Value * (1 - byItems.Value) / cells.Length);

        Assert.Equal(correct.Average(), byCounts.Value, precision: 12);
        Assert.InRange(byCounts.Low - byItems.Low, -0.15 * wald, 0.15 * wald);
        Assert.InRange(byCounts.High - byItems.High, -0.15 * wald, 0.15 * wald);
    }

    [Fact]
    public void Resamples_drawn_side_by_side_are_the_same_on_every_call()
    {
        var random = new Random(9);
        var values = Enumerable.Range(0, 700).Select(_ => random.NextDouble()).ToArray();
        var cells = values.Select(v => (int)(v * 5)).ToArray();
        Func<int[], double> first = counts => counts[0];

        var means = Enumerable.Range(0, 5).Select(_ => Bootstrap.Mean(values, new BootstrapSettings(999, 3))).Distinct().ToList();
        var counted = Enumerable.Range(0, 5).Select(_ => Bootstrap.OfCounts(cells, 5, [first], new BootstrapSettings(999, 3))[0]).Distinct().ToList();

        Assert.Single(means);
        Assert.Single(counted);
    }
}
