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
    /// <summary>
    /// Resamples are drawn in this many seeded streams, side by side. The number is fixed, not the machine's core
    /// count, so a seed gives the same intervals everywhere.
    /// </summary>
    internal const int Streams = 8;

    /// <summary>The mean of <paramref name="values"/> with its 95 % interval.</summary>
    public static Estimate Mean(IReadOnlyList<double> values, BootstrapSettings? settings = null)
    {
        var n = values.Count;
        if (n == 0)
        {
            return new Estimate(0, 0, 0);
        }

        var data = values as double[] ?? values.ToArray();
        var means = Replicates(settings, static () => 0, (random, _) =>
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                sum += data[random.NextIndex(n)];
            }

            return sum / n;
        });
        return Interval(Sum(data) / n, means);
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

        var ratios = Replicates(settings, static () => 0, (random, _) =>
        {
            double t = 0, b = 0;
            for (var i = 0; i < n; i++)
            {
                var k = random.NextIndex(n);
                t += top[k];
                b += bottom[k];
            }

            return b == 0 ? 0 : t / b;
        });
        return Interval(Sum(top) / total, ratios);
    }

    /// <summary>
    /// A statistic computed by <paramref name="statistic"/> over resampled index sets (for statistics that are not
    /// means, such as macro F1). The callback receives the indices of one resample; it must not keep them, and it may
    /// be called from several threads at once.
    /// </summary>
    public static Estimate Of(int count, double value, Func<int[], double> statistic, BootstrapSettings? settings = null)
    {
        if (count == 0)
        {
            return new Estimate(value, value, value);
        }

        var values = Replicates(settings, () => new int[count], (random, indices) =>
        {
            for (var i = 0; i < count; i++)
            {
                indices[i] = random.NextIndex(count);
            }

            return statistic(indices);
        });
        return Interval(value, values);
    }

    /// <summary>
    /// Statistics of a table of counts (such as a confusion matrix), with their 95 % intervals. Item i falls in cell
    /// <paramref name="cells"/>[i]; a resample draws the items with replacement, as <see cref="Of"/> does, and each
    /// statistic reads only the resample's counts per cell. <paramref name="statistics"/> are given the counts and must not keep or change them; they
    /// may be called from several threads at once.
    /// </summary>
    public static Estimate[] OfCounts(int[] cells, int cellCount, IReadOnlyList<Func<int[], double>> statistics, BootstrapSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var full = new int[cellCount];
        foreach (var cell in cells)
        {
            full[cell]++;
        }

        var values = statistics.Select(statistic => statistic(full)).ToArray();
        var n = cells.Length;
        if (n == 0)
        {
            return values.Select(v => new Estimate(v, v, v)).ToArray();
        }

        // A resample of n items drawn with replacement puts Multinomial(n, count / n) items in the cells; drawn cell
        // by cell as binomials of what is left, that costs one draw per non-empty cell instead of one per item.
        var occupied = Enumerable.Range(0, cellCount).Where(c => full[c] > 0).ToArray();
        var replicates = statistics.Select(_ => new double[Checked(settings).Resamples]).ToArray();
        ForEachReplicate(settings, () => new int[cellCount], (random, counts, r) =>
        {
            int items = n, mass = n;
            for (var i = 0; i < occupied.Length; i++)
            {
                var cell = occupied[i];
                var drawn = i == occupied.Length - 1 ? items : BinomialSampler.Next(random, items, (double)full[cell] / mass);
                counts[cell] = drawn;
                items -= drawn;
                mass -= full[cell];
            }

            for (var s = 0; s < replicates.Length; s++)
            {
                replicates[s][r] = statistics[s](counts);
            }
        });
        return values.Select((v, s) => Interval(v, replicates[s])).ToArray();
    }

    /// <summary>The 95 % percentile interval of <paramref name="replicates"/> (sorted in place) around <paramref name="value"/>.</summary>
    internal static Estimate Interval(double value, double[] replicates)
    {
        Array.Sort(replicates);
        return new Estimate(value, LatencyStats.Percentile(replicates, 2.5), LatencyStats.Percentile(replicates, 97.5));
    }

    internal static (int Resamples, IndexRandom Random) Start(BootstrapSettings? settings)
    {
        var s = Checked(settings);
        return (s.Resamples, new IndexRandom(s.Seed));
    }

    private static BootstrapSettings Checked(BootstrapSettings? settings)
    {
        var s = settings ?? new BootstrapSettings();
        return s.Resamples >= 1 ? s : throw new ArgumentException($"Resamples must be at least 1, not {s.Resamples}.");
    }

    // One value per resample; resample r is drawn by stream r mod Streams, each stream with its own generator.
    private static double[] Replicates<TScratch>(BootstrapSettings? settings, Func<TScratch> scratch, Func<IndexRandom, TScratch, double> replicate)
    {
        var values = new double[Checked(settings).Resamples];
        ForEachReplicate(settings, scratch, (random, state, r) => values[r] = replicate(random, state));
        return values;
    }

    private static void ForEachReplicate<TScratch>(BootstrapSettings? settings, Func<TScratch> scratch, Action<IndexRandom, TScratch, int> replicate)
    {
        var (resamples, seed) = Checked(settings);
        Parallel.For(0, Math.Min(Streams, resamples), stream =>
        {
            var random = new IndexRandom(seed, stream);
            var state = scratch();
            for (var r = stream; r < resamples; r += Streams)
            {
                replicate(random, state, r);
            }
        });
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
internal sealed class IndexRandom(int seed, int stream = 0)
{
    // Streams of one seed start far apart in SplitMix64's sequence of states.
    private ulong state = (ulong)seed * 0x9E3779B97F4A7C15UL + 0xD1B54A32D192ED03UL + (ulong)stream * 0x5851F42D4C957F2DUL;

    /// <summary>A uniform index in [0, n) (multiply-shift; the bias is below 2⁻³² for any n that fits an int).</summary>
    public int NextIndex(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
