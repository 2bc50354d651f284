namespace QualityHub.Core.Metrics;

/// <summary>
/// Exact binomial variates: inversion (sequential search from 0) when n·min(p, 1−p) &lt; 10, otherwise Hörmann's
/// transformed rejection with squeeze (BTRS; W. Hörmann, "The generation of binomial random variates", 1993), whose
/// expected cost does not grow with n. Lets a bootstrap draw a resample's counts per cell instead of its items.
/// </summary>
internal static class BinomialSampler
{
    private const int TableSize = 256;
    private static readonly double[] LogFactorials = BuildLogFactorials();

    /// <summary>A draw from Binomial(<paramref name="n"/>, <paramref name="p"/>).</summary>
    public static int Next(IndexRandom random, int n, double p)
    {
        if (n <= 0 || p <= 0)
        {
            return 0;
        }

        if (p >= 1)
        {
            return n;
        }

        // By symmetry the methods only need p ≤ ½.
        return p > 0.5 ? n - Draw(random, n, 1 - p) : Draw(random, n, p);
    }

    private static int Draw(IndexRandom random, int n, double p) => n * p < 10 ? Inversion(random, n, p) : Btrs(random, n, p);

    // P(0) = qⁿ, P(k + 1) = P(k) · (n − k) / (k + 1) · p / q; walk the cumulative sum until it passes u.
    private static int Inversion(IndexRandom random, int n, double p)
    {
        var q = 1 - p;
        var odds = p / q;
        var first = Math.Pow(q, n);
        while (true)
        {
            var u = random.NextDouble();
            var probability = first;
            var k = 0;
            while (u > probability)
            {
                u -= probability;
                k++;
                if (k > n)
                {
                    break; // rounding left a sliver of u above the whole distribution: draw again
                }

                probability *= odds * (n - k + 1) / k;
            }

            if (k <= n)
            {
                return k;
            }
        }
    }

    private static int Btrs(IndexRandom random, int n, double p)
    {
        var q = 1 - p;
        var spq = Math.Sqrt(n * p * q);
        var b = 1.15 + (2.53 * spq);
        var a = -0.0873 + (0.0248 * b) + (0.01 * p);
        var c = (n * p) + 0.5;
        var squeeze = 0.92 - (4.2 / b);
        var alpha = (2.83 + (5.1 / b)) * spq;
        var logOdds = Math.Log(p / q);
        var mode = (int)Math.Floor((n + 1) * p);
        var h = LogFactorial(mode) + LogFactorial(n - mode);
        while (true)
        {
            var u = random.NextDouble() - 0.5;
            var v = random.NextDouble();
            var us = 0.5 - Math.Abs(u);
            var k = (int)Math.Floor((((2 * a / us) + b) * u) + c);
            if (k < 0 || k > n)
            {
                continue;
            }

            if (us >= 0.07 && v <= squeeze)
            {
                return k;
            }

            var accept = Math.Log(v * alpha / ((a / (us * us)) + b));
            if (accept <= h - LogFactorial(k) - LogFactorial(n - k) + ((k - mode) * logOdds))
            {
                return k;
            }
        }
    }

    /// <summary>ln k!: from a table below 256, above it from Stirling's series for ln Γ(k + 1) (error below 1e-15).</summary>
    internal static double LogFactorial(int k)
    {
        if (k < TableSize)
        {
            return LogFactorials[k];
        }

        double x = k + 1;
        var inverse = 1 / x;
        var inverse2 = inverse * inverse;
        return ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI))
            + (inverse * ((1.0 / 12) - (inverse2 * ((1.0 / 360) - (inverse2 / 1260)))));
    }

    private static double[] BuildLogFactorials()
    {
        var table = new double[TableSize];
        for (var k = 2; k < TableSize; k++)
        {
            table[k] = table[k - 1] + Math.Log(k);
        }

        return table;
    }
}
