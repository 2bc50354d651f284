namespace QualityHub.Core.Labeling;

/// <summary>
/// How far two labelings of the same items agree: a vendor's labels against the gold answers the curator hid in a job
/// (accuracy), or against the labels the dataset holds today (Cohen's kappa: agreement beyond what the two sides'
/// label frequencies give by chance).
/// </summary>
public static class LabelAgreement
{
    /// <summary>The share of pairs whose two labels are the same; null for no pairs.</summary>
    public static double? Accuracy(IReadOnlyCollection<(string A, string B)> pairs) =>
        pairs.Count == 0 ? null : (double)pairs.Count(p => string.Equals(p.A, p.B, StringComparison.Ordinal)) / pairs.Count;

    /// <summary>
    /// Cohen's kappa of two labelings, (p_o − p_e) / (1 − p_e) with p_e from each side's label frequencies; null when it
    /// is undefined: no pairs, or both sides gave every item one and the same label (p_e = 1).
    /// </summary>
    public static double? CohenKappa(IReadOnlyCollection<(string A, string B)> pairs)
    {
        if (pairs.Count == 0)
        {
            return null;
        }

        var n = (double)pairs.Count;
        var a = pairs.GroupBy(p => p.A, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var b = pairs.GroupBy(p => p.B, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var observed = pairs.Count(p => string.Equals(p.A, p.B, StringComparison.Ordinal)) / n;
        var chance = a.Sum(label => label.Value / n * (b.TryGetValue(label.Key, out var other) ? other / n : 0));
        return chance >= 1 ? null : (observed - chance) / (1 - chance);
    }
}
