namespace QualityHub.Core.Drift;

/// <summary>A two-sample test's statistic and p-value; for chi-square also its degrees of freedom.</summary>
public readonly record struct TestResult(double Statistic, double PValue, int DegreesOfFreedom = 0);

/// <summary>
/// The distances and tests drift is judged by, on binned counts: population stability index, Jensen–Shannon distance,
/// two-sample Kolmogorov–Smirnov and chi-square homogeneity. tools/drift_reference.py recomputes each with SciPy.
/// </summary>
public static class DriftStatistics
{
    /// <summary>The share an empty bin counts as in PSI (its log would be infinite otherwise).</summary>
    public const double PsiEpsilon = 1e-4;

    /// <summary>PSI's groups: a continuous descriptor's fine bins are gathered into the reference's deciles.</summary>
    public const int PsiGroups = 10;

    /// <summary>Chi-square categories expected to hold fewer than this in either sample are pooled into one.</summary>
    public const double MinExpected = 5;

    /// <summary>
    /// The decile group of each fine bin, from the reference's counts: a bin's group is ⌊10 · (reference share before
    /// the bin)⌋, at most 9 — so bins below the reference's range join the first decile and bins above it the last.
    /// </summary>
    public static int[] DecileGroups(IReadOnlyList<long> reference)
    {
        var total = reference.Sum();
        var groups = new int[reference.Count];
        long before = 0;
        for (var i = 0; i < reference.Count; i++)
        {
            groups[i] = total == 0 ? 0 : (int)Math.Min(PsiGroups - 1, PsiGroups * before / total);
            before += reference[i];
        }

        return groups;
    }

    /// <summary>Sums fine-bin counts into their groups.</summary>
    public static long[] Group(IReadOnlyList<long> counts, int[] groups)
    {
        var grouped = new long[groups.Length == 0 ? 0 : groups.Max() + 1];
        for (var i = 0; i < counts.Count; i++)
        {
            grouped[groups[i]] += counts[i];
        }

        return grouped;
    }

    /// <summary>
    /// Population stability index Σ (w − r) · ln(w / r) over the categories, shares taken of each sample's total and an
    /// empty category's share raised to <see cref="PsiEpsilon"/>. Categories empty in both samples are left out.
    /// </summary>
    public static double Psi(IReadOnlyList<long> reference, IReadOnlyList<long> window)
    {
        var (r, w) = (reference.Sum(), window.Sum());
        var psi = 0.0;
        for (var i = 0; i < reference.Count; i++)
        {
            if (reference[i] == 0 && window[i] == 0)
            {
                continue;
            }

            var p = Math.Max((double)reference[i] / r, PsiEpsilon);
            var q = Math.Max((double)window[i] / w, PsiEpsilon);
            psi += (q - p) * Math.Log(q / p);
        }

        return psi;
    }

    /// <summary>Jensen–Shannon distance in base 2 (0 same, 1 disjoint): the square root of the mean KL divergence to the mixture.</summary>
    public static double JensenShannonDistance(IReadOnlyList<long> reference, IReadOnlyList<long> window)
    {
        var (r, w) = (reference.Sum(), window.Sum());
        var divergence = 0.0;
        for (var i = 0; i < reference.Count; i++)
        {
            var p = (double)reference[i] / r;
            var q = (double)window[i] / w;
            var m = (p + q) / 2;
            divergence += (p > 0 ? p * Math.Log2(p / m) : 0) + (q > 0 ? q * Math.Log2(q / m) : 0);
        }

        return Math.Sqrt(Math.Max(0, divergence / 2));
    }

    /// <summary>
    /// Two-sample Kolmogorov–Smirnov on binned values: D is the largest gap between the two cumulative shares at the bins'
    /// ends (what the test gives on the values each replaced by its bin's middle); the p-value is the asymptotic
    /// Kolmogorov distribution's at √(n·m / (n + m)) · D.
    /// </summary>
    public static TestResult KolmogorovSmirnov(IReadOnlyList<long> reference, IReadOnlyList<long> window)
    {
        var (n, m) = (reference.Sum(), window.Sum());
        var (cr, cw, d) = (0L, 0L, 0.0);
        for (var i = 0; i < reference.Count; i++)
        {
            cr += reference[i];
            cw += window[i];
            d = Math.Max(d, Math.Abs(((double)cr / n) - ((double)cw / m)));
        }

        return new TestResult(d, KolmogorovSurvival(Math.Sqrt((double)n * m / (n + m)) * d));
    }

    /// <summary>
    /// Chi-square test of homogeneity of two samples over categories (a 2 × k table, no continuity correction).
    /// Categories whose expected count is under <see cref="MinExpected"/> in either sample are first pooled into one
    /// (kept only when its own expected counts reach the minimum); with fewer than two categories left the test has
    /// nothing to test and answers statistic 0, p 1.
    /// </summary>
    public static TestResult ChiSquareHomogeneity(IReadOnlyList<long> reference, IReadOnlyList<long> window)
    {
        var table = PoolSparse(reference, window);
        if (table.Count < 2)
        {
            return new TestResult(0, 1, 0);
        }

        var (r, w) = (table.Sum(c => c.Reference), table.Sum(c => c.Window));
        var total = (double)(r + w);
        var statistic = 0.0;
        foreach (var (a, b) in table)
        {
            var column = a + b;
            var ea = r * column / total;
            var eb = w * column / total;
            statistic += ((a - ea) * (a - ea) / ea) + ((b - eb) * (b - eb) / eb);
        }

        var dof = table.Count - 1;
        return new TestResult(statistic, ChiSquareSurvival(statistic, dof), dof);
    }

    /// <summary>The categories the chi-square test uses: well-filled ones as they are, sparse ones pooled (see <see cref="ChiSquareHomogeneity"/>).</summary>
    public static List<(long Reference, long Window)> PoolSparse(IReadOnlyList<long> reference, IReadOnlyList<long> window)
    {
        var (r, w) = (reference.Sum(), window.Sum());
        var total = (double)(r + w);
        var kept = new List<(long, long)>();
        var (pooledA, pooledB) = (0L, 0L);
        for (var i = 0; i < reference.Count; i++)
        {
            var column = reference[i] + window[i];
            if (column == 0)
            {
                continue;
            }

            if (Math.Min(r, w) * column / total < MinExpected)
            {
                pooledA += reference[i];
                pooledB += window[i];
            }
            else
            {
                kept.Add((reference[i], window[i]));
            }
        }

        if (Math.Min(r, w) * (pooledA + pooledB) / total >= MinExpected)
        {
            kept.Add((pooledA, pooledB));
        }

        return kept;
    }

    /// <summary>P(K ≥ λ) for the Kolmogorov distribution (the limit of √n · D).</summary>
    public static double KolmogorovSurvival(double lambda)
    {
        if (lambda <= 0)
        {
            return 1;
        }

        if (lambda < 1.18)
        {
            // Small λ: the theta-function form converges in a few terms where the alternating series does not.
            var sum = 0.0;
            var factor = -Math.PI * Math.PI / (8 * lambda * lambda);
            for (var k = 1; k <= 20; k++)
            {
                var j = (2 * k) - 1;
                sum += Math.Exp(factor * j * j);
            }

            return Math.Clamp(1 - (Math.Sqrt(2 * Math.PI) / lambda * sum), 0, 1);
        }

        var survival = 0.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            survival += (k % 2 == 1 ? 2 : -2) * term;
            if (term < 1e-300)
            {
                break;
            }
        }

        return Math.Clamp(survival, 0, 1);
    }

    /// <summary>P(X ≥ x) for chi-square with <paramref name="dof"/> degrees of freedom: the regularized upper incomplete gamma Q(dof / 2, x / 2).</summary>
    public static double ChiSquareSurvival(double x, int dof) => x <= 0 ? 1 : UpperRegularizedGamma(dof / 2.0, x / 2);

    /// <summary>Q(a, x) = Γ(a, x) / Γ(a): by its series below x = a + 1, by its continued fraction (modified Lentz) above.</summary>
    public static double UpperRegularizedGamma(double a, double x)
    {
        if (x <= 0)
        {
            return 1;
        }

        var logPrefix = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            var (term, sum) = (1.0 / a, 1.0 / a);
            for (var n = 1; n < 10_000 && Math.Abs(term) > Math.Abs(sum) * 1e-16; n++)
            {
                term *= x / (a + n);
                sum += term;
            }

            return Math.Clamp(1 - (Math.Exp(logPrefix) * sum), 0, 1);
        }

        const double Tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 10_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Clamp(Math.Exp(logPrefix) * h, 0, 1);
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, nine coefficients; about 15 significant digits).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        var sum = g[0];
        for (var i = 1; i < g.Length; i++)
        {
            sum += g[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
