using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;

namespace QualityHub.Web.Features.Online;

/// <summary>One module and release checked against its thresholds over the window.</summary>
public sealed record AlertCheck(
    int ModuleId, string Module, int ReleaseId, string Release, long Events, double? CorrectionRate, double? P95LatencyMs,
    double? MaxCorrectionRate, double? MaxP95LatencyMs, bool Enough, IReadOnlyList<OnlineAlert> Breaches);

/// <summary>
/// An online metric over its threshold, with the link that opens a VOC ticket about it. <see cref="SupersededBy"/> names
/// the current release when the events come from one that is no longer current (clients still on the old one).
/// </summary>
public sealed record OnlineAlert(
    int ModuleId, string Module, int ReleaseId, string Release, string Metric, double Value, double Threshold, long Events, string Title, string Description, string TicketUrl,
    string? SupersededBy = null);

/// <summary>The answer of GET /api/online/alerts.</summary>
public sealed record AlertReport(DateTimeOffset From, DateTimeOffset To, int WindowMinutes, int MinEvents, IReadOnlyList<OnlineAlert> Alerts, IReadOnlyList<AlertCheck> Checks);

/// <summary>
/// Checks each module and release with events in the last window against Online:Alerts (thresholds standing in for
/// requirements). A metric breaches when it is strictly above its threshold and the window holds at least MinEvents.
/// </summary>
public sealed class OnlineAlerts(
    OnlineMetrics metrics, IOptionsMonitor<OnlineOptions> options, TimeProvider clock, Requirements.RequirementCatalog requirements, IDbContextFactory<QualityHubDbContext> contextFactory)
{
    public async Task<AlertReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue.Alerts;
        var to = clock.GetUtcNow();
        var from = to.AddMinutes(-settings.WindowMinutes);
        var checks = new List<AlertCheck>();

        // A module's requirement sets its online p95 limit; the configured thresholds cover what requirements do not state.
        var required = (await requirements.GetModulesAsync(cancellationToken))
            .Where(m => m.Current?.OnlineP95Ms is not null).ToDictionary(m => m.ModuleId, m => m.Current!);
        // Events may still come from a release that is no longer current: an alert on it says which release replaced it.
        string? current;
        HashSet<int> notCurrent;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            current = await db.Releases.Where(r => r.Status == ReleaseStatus.Current).OrderByDescending(r => r.ApprovedAt).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken);
            notCurrent = (await db.Releases.Where(r => r.Status == ReleaseStatus.Superseded).Select(r => r.Id).ToListAsync(cancellationToken)).ToHashSet();
        }

        foreach (var (moduleId, module, releaseId, release, totals) in await metrics.GetWindowTotalsAsync(from, to, cancellationToken))
        {
            var supersededBy = notCurrent.Contains(releaseId) ? current ?? "a later release" : null;
            var threshold = settings.For(module);
            var requirement = required.GetValueOrDefault(moduleId);
            if (requirement is not null)
            {
                threshold = new AlertThreshold { MaxCorrectionRate = threshold.MaxCorrectionRate, MaxP95LatencyMs = requirement.OnlineP95Ms };
            }

            var enough = totals.Count >= settings.MinEvents;
            var breaches = new List<OnlineAlert>();
            if (enough && totals.CorrectionRate is { } rate && threshold.MaxCorrectionRate is { } maxRate && rate > maxRate)
            {
                breaches.Add(Alert(moduleId, module, releaseId, release, supersededBy, "correction rate", rate, maxRate, totals.Count, settings.WindowMinutes,
                    $"{rate:P1} of outputs corrected by users (threshold {maxRate:P1})"));
            }

            if (enough && totals.P95 is { } p95 && threshold.MaxP95LatencyMs is { } maxP95 && p95 > maxP95)
            {
                breaches.Add(Alert(moduleId, module, releaseId, release, supersededBy, "p95 latency", p95, maxP95, totals.Count, settings.WindowMinutes,
                    requirement is null
                        ? $"p95 latency {p95:N0} ms (threshold {maxP95:N0} ms)"
                        : $"p95 latency {p95:N0} ms (requirement v{requirement.Version}: online p95 ≤ {maxP95:N0} ms)"));
            }

            checks.Add(new AlertCheck(moduleId, module, releaseId, release, totals.Count, totals.CorrectionRate, totals.P95,
                threshold.MaxCorrectionRate, threshold.MaxP95LatencyMs, enough, breaches));
        }

        return new AlertReport(from, to, settings.WindowMinutes, settings.MinEvents, checks.SelectMany(c => c.Breaches).ToList(), checks);
    }

    private static OnlineAlert Alert(
        int moduleId, string module, int releaseId, string release, string? supersededBy, string metric, double value, double threshold, long events, int window, string what)
    {
        var title = $"Online {metric} over threshold: {module} in {release}" + (supersededBy is null ? "" : $" (superseded by {supersededBy})");
        var description =
            $"In the last {window} minutes, {module} in release {release}: {what}, over {events:N0} online events. " +
            (supersededBy is null ? "" : $"Release {release} is superseded by {supersededBy}: these events come from clients still on it. ") +
            "Raised by QualityHub's online alerts (the module's requirement where it states the target, else the Online:Alerts thresholds).";
        var url = $"/tickets/new?moduleId={moduleId}&title={Uri.EscapeDataString(title)}&description={Uri.EscapeDataString(description)}&severity=High";
        return new OnlineAlert(moduleId, module, releaseId, release, metric, value, threshold, events, title, description, url, supersededBy);
    }
}
