using System.Text.Json;
using QualityHub.Core.Drift;

namespace QualityHub.Core.Tests.Drift;

/// <summary>Our drift measures against SciPy's on the same binned samples (tools/drift_reference.py).</summary>
public sealed class DriftReferenceTests
{
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Drift", "reference-drift.json"))).RootElement;

    public static TheoryData<int> ContinuousCases() => [0, 1, 2, 3, 4];

    public static TheoryData<int> CategoricalCases() => [0, 1, 2, 3];

    private static long[] Counts(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    // Relative agreement for values that span hundreds of decades (p-values of a clear drift).
    private static void Close(double expected, double actual, double relative = 1e-9, double absolute = 1e-12) =>
        Assert.True(Math.Abs(expected - actual) <= Math.Max(absolute, relative * Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(ContinuousCases))]
    public void Psi_js_and_ks_of_binned_continuous_samples_equal_scipys(int index)
    {
        var c = Reference.GetProperty("continuous")[index];
        var (reference, window) = (Counts(c.GetProperty("reference")), Counts(c.GetProperty("window")));
        var groups = DriftStatistics.DecileGroups(reference);
        var (r, w) = (DriftStatistics.Group(reference, groups), DriftStatistics.Group(window, groups));

        Close(c.GetProperty("psi").GetDouble(), DriftStatistics.Psi(r, w));
        Close(c.GetProperty("js").GetDouble(), DriftStatistics.JensenShannonDistance(r, w));
        var ks = DriftStatistics.KolmogorovSmirnov(reference, window);
        Close(c.GetProperty("ksStatistic").GetDouble(), ks.Statistic);
        Close(c.GetProperty("ksPValue").GetDouble(), ks.PValue, relative: 1e-7, absolute: 1e-300);
    }

    [Theory]
    [MemberData(nameof(CategoricalCases))]
    public void Psi_js_and_chi_square_of_categories_equal_scipys(int index)
    {
        var c = Reference.GetProperty("categorical")[index];
        var (reference, window) = (Counts(c.GetProperty("reference")), Counts(c.GetProperty("window")));

        Close(c.GetProperty("psi").GetDouble(), DriftStatistics.Psi(reference, window));
        Close(c.GetProperty("js").GetDouble(), DriftStatistics.JensenShannonDistance(reference, window));
        var chi = DriftStatistics.ChiSquareHomogeneity(reference, window);
        Close(c.GetProperty("chiSquare").GetDouble(), chi.Statistic);
        Close(c.GetProperty("chiSquarePValue").GetDouble(), chi.PValue, relative: 1e-9, absolute: 1e-300);
        Assert.Equal(c.GetProperty("chiSquareDof").GetInt32(), chi.DegreesOfFreedom);
    }

    [Fact]
    public void Kolmogorov_and_chi_square_survival_functions_equal_scipys()
    {
        foreach (var k in Reference.GetProperty("survival").GetProperty("kolmogorov").EnumerateArray())
        {
            Close(k.GetProperty("p").GetDouble(), DriftStatistics.KolmogorovSurvival(k.GetProperty("lambda").GetDouble()), relative: 1e-9, absolute: 1e-14);
        }

        foreach (var c in Reference.GetProperty("survival").GetProperty("chiSquare").EnumerateArray())
        {
            Close(c.GetProperty("p").GetDouble(), DriftStatistics.ChiSquareSurvival(c.GetProperty("x").GetDouble(), c.GetProperty("dof").GetInt32()), relative: 1e-9, absolute: 1e-14);
        }
    }
}
