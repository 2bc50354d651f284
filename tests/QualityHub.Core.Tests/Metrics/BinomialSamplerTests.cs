using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

/// <summary>The binomial draws behind the counts bootstrap, against the exact distribution (chi-square over its bins).</summary>
public sealed class BinomialSamplerTests
{
    public static TheoryData<int, double> Cases => new()
    {
        { 20, 0.3 },      // inversion
        { 10_000, 0.0004 }, // inversion, large n
        { 40, 0.5 },      // rejection, small n
        { 10_000, 0.1 },  // rejection
        { 9_000, 0.93 },  // rejection, by symmetry
        { 2_000, 0.004 }, // the boundary: n·p = 8
        { 100_000, 0.5 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Draws_follow_the_binomial_distribution(int n, double p)
    {
        const int draws = 200_000;
        var random = new IndexRandom(17, n);
        var observed = new Dictionary<int, int>();
        double sum = 0, squares = 0;
        for (var i = 0; i < draws; i++)
        {
            var k = BinomialSampler.Next(random, n, p);
            Assert.InRange(k, 0, n);
            observed[k] = observed.GetValueOrDefault(k) + 1;
            sum += k;
            squares += (double)k * k;
        }

        var mean = sum / draws;
        var variance = (squares / draws) - (mean * mean);
        var expectedVariance = n * p * (1 - p);
        Assert.InRange(mean, (n * p) - (5 * Math.Sqrt(expectedVariance / draws)), (n * p) + (5 * Math.Sqrt(expectedVariance / draws)));
        Assert.InRange(variance, 0.98 * expectedVariance, 1.02 * expectedVariance);

        // Chi-square over bins of the exact pmf holding at least 20 expected draws each (tails pooled).
        var (statistic, degrees) = ChiSquare(observed, n, p, draws);
        var limit = degrees + (5 * Math.Sqrt(2.0 * degrees)); // far out in the tail: fails only on a real misfit
        Assert.True(statistic < limit, $"chi-square {statistic:F1} over {degrees} degrees of freedom (limit {limit:F1})");
    }

    [Fact]
    public void The_edges_are_exact()
    {
        var random = new IndexRandom(1);
        Assert.Equal(0, BinomialSampler.Next(random, 0, 0.5));
        Assert.Equal(0, BinomialSampler.Next(random, 50, 0));
        Assert.Equal(50, BinomialSampler.Next(random, 50, 1));
    }

    [Fact]
    public void Log_factorials_agree_across_the_table_and_the_series()
    {
        // ln k! = ln (k − 1)! + ln k, on both sides of the table's end; and one value computed independently.
        for (var k = 250; k < 262; k++)
        {
            Assert.Equal(BinomialSampler.LogFactorial(k - 1) + Math.Log(k), BinomialSampler.LogFactorial(k), 1e-9);
        }

        Assert.Equal(5_912.128178, BinomialSampler.LogFactorial(1000), 1e-6); // ln 1000! from Python's math.lgamma(1001)
    }

    private static (double Statistic, int Degrees) ChiSquare(Dictionary<int, int> observed, int n, double p, int draws)
    {
        double LogPmf(int k) => BinomialSampler.LogFactorial(n) - BinomialSampler.LogFactorial(k) - BinomialSampler.LogFactorial(n - k)
            + (k * Math.Log(p)) + ((n - k) * Math.Log(1 - p));

        var bins = new List<(double Expected, double Observed)>();
        double expected = 0, seen = 0;
        for (var k = 0; k <= n; k++)
        {
            expected += Math.Exp(LogPmf(k)) * draws;
            seen += observed.GetValueOrDefault(k);
            if (expected >= 20)
            {
                bins.Add((expected, seen));
                expected = seen = 0;
            }
        }

        if (bins.Count > 0)
        {
            bins[^1] = (bins[^1].Expected + expected, bins[^1].Observed + seen);
        }

        return (bins.Sum(b => (b.Observed - b.Expected) * (b.Observed - b.Expected) / b.Expected), bins.Count - 1);
    }
}
