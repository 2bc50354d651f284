namespace QualityHub.Web.Features.Drift;

/// <summary>Where a drift alert leads: the Drift page on its module and release, a ticket form filled from it, a retraining request made from it.</summary>
public static class DriftLinks
{
    /// <summary>The Drift page on the report's module and release over <paramref name="range"/> (3d, 7d, 30d or 90d).</summary>
    public static string Page(DriftReport report, string range) =>
        $"drift?module={Uri.EscapeDataString(report.Module)}&release={Uri.EscapeDataString(report.Release)}&range={range}";

    /// <summary>The new-ticket form filled with the alert: module, release, a title naming the descriptor, the alert's words and the page that shows it.</summary>
    public static string Ticket(DriftReport report, DriftAlert alert, string range) =>
        $"tickets/new?moduleId={report.ModuleId}&releaseId={report.ReleaseId}&severity=High&channel=monitoring" +
        $"&title={Uri.EscapeDataString($"Drift: {alert.Descriptor} in {report.Module} ({report.Release})")}" +
        $"&description={Uri.EscapeDataString($"{alert.Message} Drift page: {Page(report, range)}")}";

    /// <summary>A retraining request from an alert: triggered by drift, its window (the report's range for an alert over the whole range), its words as the reason.</summary>
    public static RetrainingRequestInput Retraining(DriftReport report, DriftAlert alert) =>
        new(report.ModuleId.ToString(System.Globalization.CultureInfo.InvariantCulture), report.Release, "drift", alert.Message, alert.From ?? report.From, alert.To ?? report.To);
}
