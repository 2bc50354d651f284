using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class LatencyHistogramTests
{
    private static readonly double[] Percents = [1, 50, 90, 95, 99, 99.9];

    /// <summary>The ⌈p/100 · n⌉-th smallest value: the rank the histogram's estimate is defined on.</summary>
    private static double NearestRank(double[] sorted, double percent) =>
        sorted[Math.Max(1, (int)Math.Ceiling(percent / 100 * sorted.Length)) - 1];

    private static double[] LogNormal(int n, double median, double sigma, int seed)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = median * Math.Exp(sigma * z);
        }

        return values;
    }

    [Fact]
    public void The_documented_bound_is_half_a_log_bucket()
    {
        Assert.Equal(Math.Pow(60_000 / 0.1, 1.0 / 62), LatencyHistogram.Ratio, 12);
        Assert.Equal(0.11326, LatencyHistogram.RelativeErrorBound, 5);
    }

    [Fact]
    public void Every_bucket_starts_where_the_one_before_ends()
    {
        for (var i = 1; i < LatencyHistogram.BucketCount - 1; i++)
        {
            var lower = LatencyHistogram.LowerEdge(i);
            var upper = LatencyHistogram.LowerEdge(i + 1);
            Assert.Equal(LatencyHistogram.Ratio, upper / lower, 9);
            Assert.Equal(i, LatencyHistogram.BucketOf(Math.Sqrt(lower * upper)));
            Assert.InRange(LatencyHistogram.Representative(i), lower, upper);
        }

        Assert.Equal(0, LatencyHistogram.BucketOf(0));
        Assert.Equal(0, LatencyHistogram.BucketOf(0.0999));
        Assert.Equal(1, LatencyHistogram.BucketOf(0.1));
        Assert.Equal(62, LatencyHistogram.BucketOf(59_999.9));
        Assert.Equal(63, LatencyHistogram.BucketOf(60_000));
        Assert.Equal(63, LatencyHistogram.BucketOf(3_600_000));
    }

    [Theory]
    [InlineData(20, 0.4, 1)]
    [InlineData(150, 0.9, 2)]
    [InlineData(0.8, 1.5, 3)]
    public void Percentiles_are_within_the_bound_of_the_exact_nearest_rank_value(double median, double sigma, int seed)
    {
        var values = LogNormal(50_000, median, sigma, seed).Where(v => v is >= LatencyHistogram.MinMs and < LatencyHistogram.MaxMs).ToArray();
        var histogram = LatencyHistogram.Of(values);
        Array.Sort(values);
        foreach (var p in Percents)
        {
            var exact = NearestRank(values, p);
            var estimate = LatencyHistogram.Percentile(histogram, p)!.Value;
            Assert.True(Math.Abs(estimate / exact - 1) <= LatencyHistogram.RelativeErrorBound + 1e-12,
                $"p{p}: estimate {estimate} vs exact {exact} is off by {Math.Abs(estimate / exact - 1):P2}");
        }
    }

    [Fact]
    public void Percentiles_are_within_the_bound_of_numpy_style_interpolated_percentiles_on_dense_data()
    {
        var values = LogNormal(100_000, 35, 0.6, 7);
        var histogram = LatencyHistogram.Of(values);
        Array.Sort(values);
        foreach (var p in Percents)
        {
            var exact = LatencyStats.Percentile(values, p);
            var estimate = LatencyHistogram.Percentile(histogram, p)!.Value;
            Assert.True(Math.Abs(estimate / exact - 1) <= LatencyHistogram.RelativeErrorBound, $"p{p}: {estimate} vs {exact}");
        }
    }

    [Fact]
    public void A_known_small_set_gives_the_bucket_of_its_nearest_rank_value()
    {
        // 100 requests: 90 at 10 ms, 9 at 100 ms, 1 at 1,000 ms. p50 and p90 are 10 ms, p95 and p99 100 ms, p100 1,000 ms.
        double[] values = [.. Enumerable.Repeat(10.0, 90), .. Enumerable.Repeat(100.0, 9), 1000.0];
        var histogram = LatencyHistogram.Of(values);
        Assert.Equal(LatencyHistogram.Representative(LatencyHistogram.BucketOf(10)), LatencyHistogram.Percentile(histogram, 50));
        Assert.Equal(LatencyHistogram.Representative(LatencyHistogram.BucketOf(10)), LatencyHistogram.Percentile(histogram, 90));
        Assert.Equal(LatencyHistogram.Representative(LatencyHistogram.BucketOf(100)), LatencyHistogram.Percentile(histogram, 91));
        Assert.Equal(LatencyHistogram.Representative(LatencyHistogram.BucketOf(100)), LatencyHistogram.Percentile(histogram, 99));
        Assert.Equal(LatencyHistogram.Representative(LatencyHistogram.BucketOf(1000)), LatencyHistogram.Percentile(histogram, 100));
        Assert.InRange(LatencyHistogram.Percentile(histogram, 95)!.Value, 100 / (1 + LatencyHistogram.RelativeErrorBound), 100 * (1 + LatencyHistogram.RelativeErrorBound));
    }

    [Fact]
    public void Summed_histograms_of_the_parts_give_the_percentiles_of_the_whole()
    {
        var values = LogNormal(30_000, 50, 0.7, 11);
        var whole = LatencyHistogram.Of(values);
        var summed = LatencyHistogram.Empty();
        foreach (var part in values.Chunk(997))
        {
            LatencyHistogram.AddBytes(summed, LatencyHistogram.ToBytes(LatencyHistogram.Of(part)));
        }

        Assert.Equal(whole, summed);
        Assert.Equal(values.Length, summed.Sum());
        foreach (var p in Percents)
        {
            Assert.Equal(LatencyHistogram.Percentile(whole, p), LatencyHistogram.Percentile(summed, p));
        }
    }

    [Fact]
    public void Out_of_range_latencies_land_in_the_end_buckets()
    {
        var histogram = LatencyHistogram.Of([0.01, 0.02, 90_000]);
        Assert.Equal(0.05, LatencyHistogram.Percentile(histogram, 50));
        Assert.Equal(60_000, LatencyHistogram.Percentile(histogram, 100));
        Assert.Null(LatencyHistogram.Percentile(LatencyHistogram.Empty(), 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyHistogram.Percentile(histogram, 101));
        Assert.Throws<ArgumentException>(() => LatencyHistogram.AddBytes(LatencyHistogram.Empty(), new byte[10]));
    }
}
