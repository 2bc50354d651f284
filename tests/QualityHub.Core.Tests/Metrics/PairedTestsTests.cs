using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class PairedTestsTests
{
    [Fact]
    public void Identical_runs_differ_by_nothing_and_not_significantly()
    {
        double[] distances = [0, 0.1, 0.2, 0, 0.5, 0, 0, 0.05];

        var result = PairedTests.PairedBootstrap(distances, distances);

        Assert.Equal(0, result.Difference);
        Assert.False(result.Significant);
        Assert.Equal(1.0, result.PValue);
    }

    [Fact]
    public void A_clear_shift_is_significant_with_the_right_sign()
    {
        var random = new Random(5);
        var a = Enumerable.Range(0, 300).Select(_ => random.NextDouble() * 0.2).ToArray();
        var b = a.Select(v => v + 0.05 + random.NextDouble() * 0.01).ToArray();

        var worse = PairedTests.PairedBootstrap(a, b);
        var better = PairedTests.PairedBootstrap(b, a);

        Assert.True(worse.Significant);
        Assert.True(worse.Low > 0);
        Assert.True(better.High < 0);
        Assert.InRange(worse.Difference, 0.05, 0.06);
        Assert.True(worse.PValue < 0.01);
    }

    [Fact]
    public void Mismatched_or_empty_runs_are_refused_with_the_reason()
    {
        Assert.Contains("run A has 2", Assert.Throws<ArgumentException>(() => PairedTests.McNemar([true, false], [true])).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => PairedTests.PairedBootstrap([], [])).Message);
    }

    [Fact]
    public void Mcnemar_without_discordant_pairs_says_p_is_one()
    {
        var result = PairedTests.McNemar([true, false, true], [true, false, true]);

        Assert.Equal(1.0, result.PValue);
        Assert.False(result.Significant);
        Assert.Equal("exact binomial", result.Method);
    }
}
