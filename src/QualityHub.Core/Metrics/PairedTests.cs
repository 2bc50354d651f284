namespace QualityHub.Core.Metrics;

/// <summary>McNemar's test on two classifiers' right/wrong answers to the same samples.</summary>
/// <remarks>OnlyA: right in A and wrong in B; OnlyB: the reverse. Only these discordant pairs carry evidence.</remarks>
public sealed record McNemarResult(int Both, int OnlyA, int OnlyB, int Neither, double PValue, string Method, bool Significant);

/// <summary>A paired bootstrap of mean(B − A) over the same samples, with its 95 % interval and two-sided p-value.</summary>
public sealed record PairedBootstrapResult(double MeanA, double MeanB, double Difference, double Low, double High, double PValue, bool Significant);

/// <summary>Whether a difference between two runs on the same samples is real or noise.</summary>
public static class PairedTests
{
    /// <summary>The significance level: p below it is a real difference.</summary>
    public const double Alpha = 0.05;

    /// <summary>Below this many discordant pairs the exact binomial test is used, from it on the chi-square approximation.</summary>
    public const int ExactBelow = 25;

    /// <summary>
    /// McNemar's test: exact two-sided binomial test (p = ½) on the discordant pairs when there are fewer than 25,
    /// otherwise chi-square with continuity correction, (|b − c| − 1)² / (b + c), one degree of freedom.
    /// </summary>
    public static McNemarResult McNemar(IReadOnlyList<bool> correctA, IReadOnlyList<bool> correctB)
    {
        if (correctA.Count != correctB.Count)
        {
            throw new ArgumentException($"McNemar's test pairs the same samples: run A has {correctA.Count} answers, run B {correctB.Count}.");
        }

        if (correctA.Count == 0)
        {
            throw new ArgumentException("McNemar's test needs at least one sample answered by both runs.");
        }

        int both = 0, onlyA = 0, onlyB = 0, neither = 0;
        for (var i = 0; i < correctA.Count; i++)
        {
            switch (correctA[i], correctB[i])
            {
                case (true, true): both++; break;
                case (true, false): onlyA++; break;
                case (false, true): onlyB++; break;
                default: neither++; break;
            }
        }

        var discordant = onlyA + onlyB;
        double p;
        string method;
        if (discordant < ExactBelow)
        {
            method = "exact binomial";
            p = ExactBinomialTwoSided(Math.Min(onlyA, onlyB), discordant);
        }
        else
        {
            method = "chi-square, continuity-corrected";
            var x = Math.Abs(onlyA - onlyB) - 1.0;
            p = ChiSquareOneDofSurvival(x * x / discordant);
        }

        return new McNemarResult(both, onlyA, onlyB, neither, p, method, p < Alpha);
    }

    /// <summary>
    /// Paired bootstrap of the mean difference B − A (e.g. per-sample normalised edit distance): resamples the
    /// samples, recomputes the mean difference, and reports its 95 % interval and the two-sided p-value
    /// 2·min(P(d ≤ 0), P(d ≥ 0)). Significant when the interval excludes 0.
    /// </summary>
    public static PairedBootstrapResult PairedBootstrap(IReadOnlyList<double> a, IReadOnlyList<double> b, BootstrapSettings? settings = null)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"A paired bootstrap pairs the same samples: run A has {a.Count} values, run B {b.Count}.");
        }

        if (a.Count == 0)
        {
            throw new ArgumentException("A paired bootstrap needs at least one sample answered by both runs.");
        }

        var n = a.Count;
        var diffs = new double[n];
        double sumA = 0, sumB = 0;
        for (var i = 0; i < n; i++)
        {
            diffs[i] = b[i] - a[i];
            sumA += a[i];
            sumB += b[i];
        }

        var (resamples, random) = Bootstrap.Start(settings);
        var means = new double[resamples];
        int atOrBelow = 0, atOrAbove = 0;
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                sum += diffs[random.NextIndex(n)];
            }

            var mean = sum / n;
            means[r] = mean;
            atOrBelow += mean <= 0 ? 1 : 0;
            atOrAbove += mean >= 0 ? 1 : 0;
        }

        var interval = Bootstrap.Interval((sumB - sumA) / n, means);
        var p = Math.Min(1.0, 2.0 * Math.Min(atOrBelow, atOrAbove) / resamples);
        return new PairedBootstrapResult(sumA / n, sumB / n, interval.Value, interval.Low, interval.High, p, interval.Low > 0 || interval.High < 0);
    }

    /// <summary>Two-sided exact binomial p-value for k successes (the smaller tail) in n trials with p = ½.</summary>
    internal static double ExactBinomialTwoSided(int k, int n)
    {
        if (n == 0)
        {
            return 1.0;
        }

        // P(X ≤ k) for X ~ Binomial(n, ½), summed in log space to stay exact for any n.
        var tail = 0.0;
        var logHalfN = n * Math.Log(0.5);
        for (var i = 0; i <= k; i++)
        {
            tail += Math.Exp(LogChoose(n, i) + logHalfN);
        }

        return Math.Min(1.0, 2.0 * tail);
    }

    /// <summary>P(χ²₁ ≥ x) = erfc(√(x/2)).</summary>
    public static double ChiSquareOneDofSurvival(double x) => x <= 0 ? 1.0 : Erfc(Math.Sqrt(x / 2));

    /// <summary>
    /// The complementary error function: the Maclaurin series of erf below 2 (absolute error ~1e-16, where erfc
    /// is at least 0.0047), a continued fraction (modified Lentz) from 2 on, where the series would cancel.
    /// </summary>
    public static double Erfc(double x)
    {
        if (x < 0)
        {
            return 2 - Erfc(-x);
        }

        if (x < 2)
        {
            // erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
            double term = x, sum = x;
            var x2 = x * x;
            for (var n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }

            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }

        // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
        const double tiny = 1e-300;
        var f = x;
        var c = x;
        var d = 0.0;
        for (var k = 1; k < 500; k++)
        {
            var a = k / 2.0;
            d = x + a * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    private static double LogChoose(int n, int k)
    {
        var sum = 0.0;
        for (var i = 1; i <= k; i++)
        {
            sum += Math.Log(n - k + i) - Math.Log(i);
        }

        return sum;
    }
}
