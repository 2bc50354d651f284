using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class LatencyStatsTests
{
    [Fact]
    public void Percentiles_of_a_small_set_interpolate_between_ranks()
    {
        double[] sorted = [1, 2, 3, 4];

        Assert.Equal(2.5, LatencyStats.Percentile(sorted, 50));
        Assert.Equal(3.85, LatencyStats.Percentile(sorted, 95), precision: 12);
        Assert.Equal(1, LatencyStats.Percentile(sorted, 0));
        Assert.Equal(4, LatencyStats.Percentile(sorted, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStats.Percentile(sorted, 101));
    }

    [Fact]
    public void A_histogram_puts_every_value_in_a_bin_and_the_largest_in_the_last()
    {
        var histogram = LatencyStats.Histogram([1, 2, 2, 3, 10], binCount: 3);

        Assert.Equal(1, histogram.Start);
        Assert.Equal(3, histogram.BinWidth);
        Assert.Equal([4, 0, 1], histogram.Counts);
        Assert.Equal([2], LatencyStats.Histogram([5, 5], 4).Counts);
    }
}
