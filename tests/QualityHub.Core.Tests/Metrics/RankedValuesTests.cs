using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class RankedValuesTests
{
    [Theory]
    [InlineData(1, 95)]
    [InlineData(2, 50)]
    [InlineData(7, 0)]
    [InlineData(500, 95)]
    [InlineData(500, 100)]
    [InlineData(3000, 99)]
    public void A_resamples_percentile_equals_the_percentile_of_the_sorted_resample(int count, double percent)
    {
        var random = new Random(count);
        // Few distinct values, so that ties and repeated draws are the rule, not the exception.
        var values = Enumerable.Range(0, count).Select(_ => Math.Round(random.NextDouble() * 20) / 4).ToArray();
        var ranked = RankedValues.Of(values);

        for (var round = 0; round < 50; round++)
        {
            var indices = Enumerable.Range(0, count).Select(_ => random.Next(count)).ToArray();
            var resample = indices.Select(i => values[i]).Order().ToArray();

            Assert.Equal(LatencyStats.Percentile(resample, percent), ranked.Percentile(indices, percent));
        }
    }

    [Fact]
    public void A_resample_of_other_length_and_bad_percents_are_handled()
    {
        var ranked = RankedValues.Of([4.0, 1.0, 3.0, 2.0]);

        Assert.Equal(3.5, ranked.Percentile([0, 2], 50));
        Assert.Equal(0, ranked.Percentile([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => ranked.Percentile([0], 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => ranked.Percentile([0], double.NaN));
    }
}
