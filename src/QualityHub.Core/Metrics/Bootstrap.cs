namespace QualityHub.Core.Metrics;

/// <summary>A value with its 95 % bootstrap confidence interval.</summary>
public sealed record Estimate(double Value, double Low, double High);

/// <summary>How many bootstrap resamples to draw, and the seed that makes them repeatable.</summary>
public sealed record BootstrapSettings(int Resamples = 1000, int Seed = 20261122);

/// <summary>
/// Percentile bootstrap intervals (Efron): resample the items with replacement, recompute the statistic, and take
/// the 2.5th and 97.5th percentiles of the recomputed values. Deterministic for a seed.
/// </summary>
public static class Bootstrap
{
    /// <summary>The mean of <paramref name="values"/> with its 95 % interval.</summary>
    public static Estimate Mean(IReadOnlyList<double> values, BootstrapSettings? settings = null)
    {
        var n = values.Count;
        if (n == 0)
        {
            return new Estimate(0, 0, 0);
        }

        var data = values as double[] ?? values.ToArray();
        var value = Sum(data) / n;
        var (resamples, random) = Start(settings);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                sum += data[random.NextIndex(n)];
            }

            means[r] = sum / n;
        }

        return Interval(value, means);
    }

    /// <summary>sum(numerators) / sum(denominators) with its 95 % interval, resampling the pairs together (e.g. CER).</summary>
    public static Estimate Ratio(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators, BootstrapSettings? settings = null)
    {
        var n = numerators.Count;
        if (denominators.Count != n)
        {
            throw new ArgumentException($"numerators ({n}) and denominators ({denominators.Count}) must be paired.");
        }

        var top = numerators as double[] ?? numerators.ToArray();
        var bottom = denominators as double[] ?? denominators.ToArray();
        var total = Sum(bottom);
        if (n == 0 || total == 0)
        {
            return new Estimate(0, 0, 0);
        }

        var value = Sum(top) / total;
        var (resamples, random) = Start(settings);
        var ratios = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double t = 0, b = 0;
            for (var i = 0; i < n; i++)
            {
                var k = random.NextIndex(n);
                t += top[k];
                b += bottom[k];
            }

            ratios[r] = b == 0 ? 0 : t / b;
        }

        return Interval(value, ratios);
    }

    /// <summary>
    /// A statistic computed by <paramref name="statistic"/> over resampled index sets (for statistics that are not
    /// means, such as macro F1). The callback receives the indices of one resample; it must not keep them.
    /// </summary>
    public static Estimate Of(int count, double value, Func<int[], double> statistic, BootstrapSettings? settings = null)
    {
        if (count == 0)
        {
            return new Estimate(value, value, value);
        }

        var (resamples, random) = Start(settings);
        var indices = new int[count];
        var values = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < count; i++)
            {
                indices[i] = random.NextIndex(count);
            }

            values[r] = statistic(indices);
        }

        return Interval(value, values);
    }

    /// <summary>The 95 % percentile interval of <paramref name="replicates"/> (sorted in place) around <paramref name="value"/>.</summary>
    internal static Estimate Interval(double value, double[] replicates)
    {
        Array.Sort(replicates);
        return new Estimate(value, LatencyStats.Percentile(replicates, 2.5), LatencyStats.Percentile(replicates, 97.5));
    }

    internal static (int Resamples, IndexRandom Random) Start(BootstrapSettings? settings)
    {
        var s = settings ?? new BootstrapSettings();
        if (s.Resamples < 1)
        {
            throw new ArgumentException($"Resamples must be at least 1, not {s.Resamples}.");
        }

        return (s.Resamples, new IndexRandom(s.Seed));
    }

    private static double Sum(double[] values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }
}

/// <summary>
/// SplitMix64: a small, fast, seedable generator for drawing resample indices (the inner loop of every bootstrap).
/// Not for anything that needs unpredictability.
/// </summary>
internal sealed class IndexRandom(int seed)
{
    private ulong state = (ulong)seed * 0x9E3779B97F4A7C15UL + 0xD1B54A32D192ED03UL;

    /// <summary>A uniform index in [0, n) (multiply-shift; the bias is below 2⁻³² for any n that fits an int).</summary>
    public int NextIndex(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);

    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
