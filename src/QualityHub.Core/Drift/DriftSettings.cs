namespace QualityHub.Core.Drift;

/// <summary>
/// When a drift measure is worth a look (watch) or an alert, and how much data a claim needs. Defaults follow the
/// common reading of PSI (under 0.1 stable, 0.1–0.25 moderate, above 0.25 significant).
/// </summary>
public sealed record DriftSettings
{
    public static DriftSettings Default { get; } = new();

    public double PsiWatch { get; init; } = 0.1;
    public double PsiAlert { get; init; } = 0.25;
    public double JsWatch { get; init; } = 0.1;
    public double JsAlert { get; init; } = 0.2;

    /// <summary>A KS or chi-square test alerts below this p-value.</summary>
    public double Alpha { get; init; } = 0.01;

    /// <summary>A window with fewer events claims nothing ("too few events").</summary>
    public int MinEvents { get; init; } = 200;

    /// <summary>A label (or confidence band) with fewer events in the window claims no correction rate.</summary>
    public int MinPerLabel { get; init; } = 30;

    /// <summary>What is wrong with these settings, or null when they are usable.</summary>
    public string? Problem() =>
        !(PsiWatch > 0 && PsiWatch <= PsiAlert) ? "psiWatch must be above 0 and at most psiAlert."
        : !(JsWatch > 0 && JsWatch <= JsAlert && JsAlert <= 1) ? "jsWatch must be above 0 and at most jsAlert, which is at most 1."
        : !(Alpha > 0 && Alpha < 0.5) ? "alpha must be between 0 and 0.5."
        : MinEvents is < 10 or > 1_000_000 ? "minEvents must be between 10 and 1,000,000."
        : MinPerLabel is < 5 or > 1_000_000 ? "minPerLabel must be between 5 and 1,000,000."
        : null;
}
