using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Drift;
using QualityHub.Data;
using QualityHub.Data.Drift;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Drift;

/// <summary>The run a release's events are compared with: the measuring run of the version it ships, on the module's test set.</summary>
public sealed record DriftReference(int RunId, int ModelVersionId, string Version, int DatasetId, string Dataset, long Samples, IReadOnlyList<string> Descriptors);

/// <summary>A measure's thresholds as numbers (null where the measure has none) and in words.</summary>
public sealed record DriftThreshold(double? Watch, double? Alert, double? Alpha, string Text);

/// <summary>One measure of GET /api/online/drift.</summary>
public sealed record DriftMeasureView(
    string Name, string Kind, string Descriptor, string Title, string Side, DriftThreshold Threshold, IReadOnlyList<DriftPoint> Points, string Status);

/// <summary>A drifting descriptor, most drifted first: its latest PSI that claims something.</summary>
public sealed record DriftingDescriptor(string Descriptor, string Title, string Side, DateTimeOffset T, double Psi, string Status);

/// <summary>An alert the drift report raises: a measure whose latest claimed point is at alert, or a label corrected more than in the reference.</summary>
public sealed record DriftAlert(string Measure, string Descriptor, DateTimeOffset? T, double? Value, double? PValue, string Message);

/// <summary>A release's start on the module (its first events), for markers on the charts.</summary>
public sealed record DriftReleaseMarker(int ReleaseId, string Release, DateTimeOffset From);

/// <summary>The answer of GET /api/online/drift.</summary>
public sealed record DriftReport(
    int ModuleId, string Module, int ReleaseId, string Release, DriftReference? Reference, string? ReferenceMissing,
    DateTimeOffset From, DateTimeOffset To, string Step, long Events, DriftSettings Settings,
    IReadOnlyList<DriftMeasureView> Measures, IReadOnlyList<DriftingDescriptor> TopDrifting,
    IReadOnlyList<ConceptRow> CorrectionsByLabel, IReadOnlyList<ConceptRow> CorrectionsByConfidence,
    IReadOnlyList<DriftAlert> Alerts, IReadOnlyList<DriftReleaseMarker> Releases);

/// <summary>
/// Drift of a module's online events in one release against that release's reference profile, window by window, read
/// from the hourly drift histograms (never from raw events) — see docs/decisions/018.
/// </summary>
public sealed class DriftReports(IDbContextFactory<QualityHubDbContext> contextFactory, RunProfiles profiles, MeasuringRuns measuring, TimeProvider clock)
{
    /// <summary>The longest range one report covers.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    /// <summary>Ranges up to this long get a point per hour, longer ones a point per day.</summary>
    public static readonly TimeSpan HourlyUpTo = TimeSpan.FromDays(3);

    public static readonly JsonSerializerOptions SettingsJson = new(JsonSerializerDefaults.Web);

    public async Task<DriftReport> GetAsync(
        string? module, string? release, DateTimeOffset? from, DateTimeOffset? to, string? step, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var target = await OnlineMetrics.FindModuleAsync(db, module, cancellationToken);
        var moduleRow = await db.Modules.AsNoTracking().Where(m => m.Id == target.Id).Select(m => new { m.TaskType, m.DriftSettingsJson }).SingleAsync(cancellationToken);
        var settings = SettingsOf(moduleRow.DriftSettingsJson);

        var (releaseId, releaseName) = !string.IsNullOrWhiteSpace(release)
            ? await OnlineMetrics.FindReleaseAsync(db, release, cancellationToken)
            : await LatestReleaseAsync(db, target.Id, cancellationToken)
              ?? throw new OnlineQueryException("release", $"Module '{target.Name}' has no online events with descriptors yet; name a release.", 404);

        var latestHour = await db.DriftAggregates.Where(a => a.ModuleId == target.Id && a.ReleaseId == releaseId)
            .OrderByDescending(a => a.HourStart).Select(a => (DateTimeOffset?)a.HourStart).FirstOrDefaultAsync(cancellationToken);
        var end = to ?? latestHour?.AddHours(1) ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        if (start >= end)
        {
            throw new OnlineQueryException("from", "from must be before to.");
        }

        if (end - start > MaxRange)
        {
            throw new OnlineQueryException("from", $"A drift report covers at most {MaxRange.TotalDays:N0} days.");
        }

        var stepHours = step?.ToLowerInvariant() switch
        {
            null or "" or "auto" => end - start <= HourlyUpTo ? 1 : 24,
            "hour" => 1,
            "day" => 24,
            "week" => 24 * 7,
            _ => throw new OnlineQueryException("step", $"step must be hour, day, week or auto, not '{step}'."),
        };
        if ((end - start).TotalHours / stepHours > 2_000)
        {
            throw new OnlineQueryException("step", "That range holds more than 2,000 points of that step; ask for a longer step.");
        }

        var firstHour = Floor(start, 1);
        var rows = await db.DriftAggregates.AsNoTracking()
            .Where(a => a.ModuleId == target.Id && a.ReleaseId == releaseId && a.HourStart >= firstHour && a.HourStart < end)
            .Select(a => new { a.HourStart, a.Descriptor, a.Events, a.Bins })
            .ToListAsync(cancellationToken);
        // Windows are counted from the range's first hour, so a range that starts at an event's hour gets windows that start there.
        var stepTicks = stepHours * TimeSpan.TicksPerHour;
        var windows = rows.GroupBy(r => firstHour.AddTicks((r.HourStart - firstHour).Ticks / stepTicks * stepTicks)).OrderBy(g => g.Key).Select(g =>
        {
            var histograms = new Dictionary<string, DriftHistogram>(StringComparer.Ordinal);
            foreach (var row in g)
            {
                if (!histograms.TryGetValue(row.Descriptor, out var h))
                {
                    histograms[row.Descriptor] = h = new DriftHistogram();
                }

                h.AddJson(row.Events, row.Bins);
            }

            return new DriftWindow(g.Key, g.Key.AddHours(stepHours), histograms, histograms.Values.Select(h => h.Events).DefaultIfEmpty(0).Max(), 0);
        }).ToList();

        var (reference, missing, referenceHistograms) = await ReferenceAsync(db, target.Id, releaseId, cancellationToken);
        var measures = referenceHistograms is null ? [] : DriftAnalysis.Measures(referenceHistograms, windows, settings);
        var whole = Sum(windows);
        var byLabel = DriftAnalysis.ByLabel(referenceHistograms?.GetValueOrDefault(DriftDescriptors.Label.Name), whole.GetValueOrDefault(DriftDescriptors.Label.Name), settings);
        var byConfidence = DriftAnalysis.ByConfidence(
            referenceHistograms?.GetValueOrDefault(DriftDescriptors.Confidence.Name), whole.GetValueOrDefault(DriftDescriptors.Confidence.Name), settings);

        var views = measures.Select(m => new DriftMeasureView(m.Name, m.Kind, m.Descriptor, m.DescriptorTitle, m.Side,
            new DriftThreshold(m.Watch, m.Alert, m.Watch is null ? settings.Alpha : null, m.ThresholdText), m.Points, m.Status)).ToList();
        var top = measures.Where(m => m.Kind == DriftMeasureKind.Psi && m.Latest is not null)
            .Select(m => new DriftingDescriptor(m.Descriptor, m.DescriptorTitle, m.Side, m.Latest!.T, m.Latest.Value!.Value, m.Latest.Status))
            .OrderByDescending(d => d.Psi).ToList();
        var alerts = Alerts(measures, byLabel, byConfidence);
        var markers = await MarkersAsync(db, target.Id, cancellationToken);
        return new DriftReport(target.Id, target.Name, releaseId, releaseName, reference, missing, start, end,
            stepHours == 1 ? "hour" : stepHours == 24 ? "day" : "week", windows.Sum(w => w.Events), settings,
            views, top, byLabel, byConfidence, alerts, markers);
    }

    /// <summary>The module's settings, the defaults for what its stored JSON leaves out.</summary>
    public static DriftSettings SettingsOf(string? json) =>
        json is null ? DriftSettings.Default : JsonSerializer.Deserialize<DriftSettings>(json, SettingsJson) ?? DriftSettings.Default;

    private async Task<(DriftReference?, string?, IReadOnlyDictionary<string, DriftHistogram>?)> ReferenceAsync(
        QualityHubDbContext db, int moduleId, int releaseId, CancellationToken cancellationToken)
    {
        var entry = await db.ReleaseEntries.AsNoTracking().Where(e => e.ReleaseId == releaseId && e.ModuleId == moduleId)
            .Select(e => new { e.ModelVersionId, Version = e.ModelVersion!.Name }).SingleOrDefaultAsync(cancellationToken);
        if (entry is null)
        {
            return (null, "The release does not ship this module, so it has no reference run.", null);
        }

        if (await measuring.TestSetAsync(moduleId, cancellationToken) is not { } testSet)
        {
            return (null, "The module has no test set: import one (split test) and evaluate version " + entry.Version + " on it.", null);
        }

        if (await measuring.OfVersionAsync(entry.ModelVersionId, testSet.DatasetId, cancellationToken) is not { } run)
        {
            return (null, $"Version {entry.Version} has no completed run on {testSet.Dataset}: evaluate it there to give this release a reference.", null);
        }

        var histograms = await profiles.GetAsync(run.RunId, cancellationToken);
        if (histograms is null)
        {
            return (null, $"Run {run.RunId} could not be profiled.", null);
        }

        var samples = histograms.Values.Select(h => h.Events).DefaultIfEmpty(0).Max();
        return (new DriftReference(run.RunId, entry.ModelVersionId, entry.Version, testSet.DatasetId, testSet.Dataset, samples, histograms.Keys.Order(StringComparer.Ordinal).ToList()),
            null, histograms);
    }

    private static Dictionary<string, DriftHistogram> Sum(IEnumerable<DriftWindow> windows)
    {
        var sum = new Dictionary<string, DriftHistogram>(StringComparer.Ordinal);
        foreach (var (name, histogram) in windows.SelectMany(w => w.Histograms))
        {
            if (!sum.TryGetValue(name, out var total))
            {
                sum[name] = total = new DriftHistogram();
            }

            total.Add(histogram);
        }

        return sum;
    }

    private static List<DriftAlert> Alerts(List<DriftMeasure> measures, List<ConceptRow> byLabel, List<ConceptRow> byConfidence)
    {
        var alerts = new List<DriftAlert>();
        foreach (var m in measures)
        {
            if (m.Latest is { Status: DriftStatus.Alert } p)
            {
                var value = m.Kind is DriftMeasureKind.KolmogorovSmirnov or DriftMeasureKind.ChiSquare ? $"p = {p.PValue:0.###e0}" : $"{m.Kind.ToUpperInvariant()} {p.Value:0.###}";
                alerts.Add(new DriftAlert(m.Name, m.Descriptor, p.T, p.Value, p.PValue, $"{m.DescriptorTitle} drifted: {value} in the window from {p.T:yyyy-MM-dd HH:mm} UTC ({m.ThresholdText})."));
            }
        }

        foreach (var (rows, what) in new[] { (byLabel, "label"), (byConfidence, "confidence") })
        {
            foreach (var row in rows.Where(r => r.Status == DriftStatus.Alert))
            {
                alerts.Add(new DriftAlert($"{DriftMeasureKind.CorrectionRate}:{what}", what == "label" ? DriftDescriptors.Label.Name : DriftDescriptors.Confidence.Name,
                    null, row.WindowCorrectionRate, row.PValue,
                    $"Outputs with {what} {row.Key} are corrected {row.WindowCorrectionRate:P1} of the time online, against {row.ReferenceErrorRate:P1} wrong in the reference run (p = {row.PValue:0.###e0})."));
            }
        }

        return alerts;
    }

    private static async Task<(int, string)?> LatestReleaseAsync(QualityHubDbContext db, int moduleId, CancellationToken cancellationToken)
    {
        var latest = await db.DriftAggregates.Where(a => a.ModuleId == moduleId).OrderByDescending(a => a.HourStart)
            .Select(a => (int?)a.ReleaseId).FirstOrDefaultAsync(cancellationToken);
        return latest is { } id ? (id, await db.Releases.Where(r => r.Id == id).Select(r => r.Name).SingleAsync(cancellationToken)) : null;
    }

    private static async Task<List<DriftReleaseMarker>> MarkersAsync(QualityHubDbContext db, int moduleId, CancellationToken cancellationToken)
    {
        var firsts = await db.DriftAggregates.Where(a => a.ModuleId == moduleId).GroupBy(a => a.ReleaseId)
            .Select(g => new { ReleaseId = g.Key, From = g.Min(a => a.HourStart) }).ToListAsync(cancellationToken);
        var ids = firsts.Select(f => f.ReleaseId).ToList();
        var names = await db.Releases.Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);
        return firsts.Select(f => new DriftReleaseMarker(f.ReleaseId, names[f.ReleaseId], f.From)).OrderBy(m => m.From).ToList();
    }

    private static DateTimeOffset Floor(DateTimeOffset t, int hours)
    {
        var width = hours * TimeSpan.TicksPerHour;
        return new DateTimeOffset(t.UtcTicks - (t.UtcTicks % width), TimeSpan.Zero);
    }
}
