using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
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
    string Name, string Kind, string Descriptor, string Title, string Side, DriftThreshold Threshold, IReadOnlyList<DriftPoint> Points, string Status)
{
    /// <summary>The last point that claims something (the page's "latest window").</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DriftPoint? Latest => Points.LastOrDefault(p => p.Value is not null);
}

/// <summary>A drifting descriptor, most drifted first: its latest PSI that claims something.</summary>
public sealed record DriftingDescriptor(string Descriptor, string Title, string Side, DateTimeOffset T, double Psi, string Status);

/// <summary>
/// An alert the drift report raises: a descriptor whose latest window that claims something has measures at alert
/// (From/To that window), or a label or confidence band corrected more than the reference got wrong (over the range).
/// </summary>
public sealed record DriftAlert(string Descriptor, string Title, IReadOnlyList<string> Measures, DateTimeOffset? From, DateTimeOffset? To, long Events, string Message);

/// <summary>A release's start on the module (its first events), for markers on the charts.</summary>
public sealed record DriftReleaseMarker(int ReleaseId, string Release, DateTimeOffset From);

/// <summary>One bin of a distribution shown side by side: its shares (and correction rates) in the reference and the window.</summary>
public sealed record DriftBinShare(string Bin, string Label, long ReferenceCount, double ReferenceShare, long WindowCount, double WindowShare, double? ReferenceErrorRate, double? WindowCorrectionRate);

/// <summary>The answer of GET /api/online/drift/distribution: one descriptor's distribution in the reference run and in a window.</summary>
public sealed record DriftDistribution(
    int ModuleId, string Module, int ReleaseId, string Release, string Descriptor, string Title, bool Continuous, int? ReferenceRunId,
    DateTimeOffset From, DateTimeOffset To, long ReferenceEvents, long WindowEvents, IReadOnlyList<DriftBinShare> Bins);

/// <summary>One window's count of events checked against a data rule and of those that broke it.</summary>
public sealed record ViolationPoint(DateTimeOffset T, DateTimeOffset End, long Checked, long Violations);

/// <summary>
/// A data rule over the report's range: events checked and violations in all (with their share), the verdict of its
/// latest window with enough events (<see cref="DriftSettings.MinEvents"/>), a few example event ids from the last
/// hour that broke it, and its counts window by window. Counts made under an earlier version of a rule (Current false)
/// are listed and never alerted on.
/// </summary>
public sealed record DriftViolation(
    string Key, string Kind, string Descriptor, string Text, bool Current, long Checked, long Violations, double Share, double MaxShare, string Status,
    DateTimeOffset? LatestFrom, DateTimeOffset? LatestTo, double? LatestShare, IReadOnlyList<string> Examples, IReadOnlyList<ViolationPoint> Points);

/// <summary>The answer of GET /api/online/drift.</summary>
public sealed record DriftReport(
    int ModuleId, string Module, TaskType Task, int ReleaseId, string Release, DriftReference? Reference, string? ReferenceMissing,
    DateTimeOffset From, DateTimeOffset To, string Step, long Events, DriftSettings Settings,
    IReadOnlyList<DriftMeasureView> Measures, IReadOnlyList<DriftingDescriptor> TopDrifting,
    IReadOnlyList<ConceptRow> CorrectionsByLabel, IReadOnlyList<ConceptRow> CorrectionsByConfidence,
    IReadOnlyList<DriftAlert> Alerts, IReadOnlyList<DriftReleaseMarker> Releases, DataRules? Rules, IReadOnlyList<DriftViolation> Violations);

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
        var moduleRow = await db.Modules.AsNoTracking().Where(m => m.Id == target.Id).Select(m => new { m.TaskType, m.DriftSettingsJson, m.DataRulesJson }).SingleAsync(cancellationToken);
        var settings = SettingsOf(moduleRow.DriftSettingsJson);
        var rules = DataRules.Parse(moduleRow.DataRulesJson);

        var (releaseId, releaseName, latestEnd) = await ReleaseAsync(db, target, release, cancellationToken);
        var end = to ?? latestEnd;
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
        var windows = rows.Where(r => r.Descriptor != DataRules.CountsDescriptor).GroupBy(r => firstHour.AddTicks((r.HourStart - firstHour).Ticks / stepTicks * stepTicks)).OrderBy(g => g.Key).Select(g =>
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

            return new DriftWindow(g.Key, g.Key.AddHours(stepHours), histograms, histograms.Values.Select(h => h.Events).DefaultIfEmpty(0).Max());
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
        var counted = rows.Where(r => r.Descriptor == DataRules.CountsDescriptor)
            .Select(r => (r.HourStart, Window: firstHour.AddTicks((r.HourStart - firstHour).Ticks / stepTicks * stepTicks), Counts: DriftHistogram.FromJson(r.Events, r.Bins)))
            .ToList();
        var violations = await ViolationsAsync(db, target.Id, releaseId, rules, counted, TimeSpan.FromHours(stepHours), settings, cancellationToken);
        var alerts = Alerts(measures, byLabel, byConfidence);
        alerts.AddRange(violations.Where(v => v.Status == DriftStatus.Alert).Select(v => new DriftAlert(v.Descriptor, "Data rule", [$"rule:{v.Key}"], v.LatestFrom, v.LatestTo, v.Checked,
            $"Data rule broken: {v.Text} — {v.LatestShare:P1} of the events in the window {v.LatestFrom:yyyy-MM-dd HH:mm} – {v.LatestTo:yyyy-MM-dd HH:mm} UTC broke it, above the {v.MaxShare:P1} allowed.")));
        var markers = await MarkersAsync(db, target.Id, cancellationToken);
        return new DriftReport(target.Id, target.Name, moduleRow.TaskType, releaseId, releaseName, reference, missing, start, end,
            stepHours == 1 ? "hour" : stepHours == 24 ? "day" : "week", windows.Sum(w => w.Events), settings,
            views, top, byLabel, byConfidence, alerts, markers, rules, violations);
    }

    /// <summary>
    /// The drift reports the Overview shows: for every module with described events, its latest release over the
    /// <paramref name="range"/> that ends with its latest events — only those that raise an alert.
    /// </summary>
    public async Task<List<DriftReport>> AlertingAsync(TimeSpan range, CancellationToken cancellationToken = default)
    {
        List<int> modules;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            modules = await db.DriftAggregates.Select(a => a.ModuleId).Distinct().OrderBy(id => id).ToListAsync(cancellationToken);
        }

        var alerting = new List<DriftReport>();
        foreach (var module in modules.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            var (release, end) = await RangeEndAsync(module, null, cancellationToken);
            var report = await GetAsync(module, release, end - range, end, null, cancellationToken);
            if (report.Alerts.Count > 0)
            {
                alerting.Add(report);
            }
        }

        return alerting;
    }

    /// <summary>The release a report on the module shows (the one named, else the latest with events) and where its default range ends: after its latest hour of events.</summary>
    public async Task<(string Release, DateTimeOffset End)> RangeEndAsync(string? module, string? release, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var target = await OnlineMetrics.FindModuleAsync(db, module, cancellationToken);
        var (_, name, end) = await ReleaseAsync(db, target, release, cancellationToken);
        return (name, end);
    }

    private async Task<(int Id, string Name, DateTimeOffset End)> ReleaseAsync(QualityHubDbContext db, (int Id, string Name) target, string? release, CancellationToken cancellationToken)
    {
        var (releaseId, releaseName) = !string.IsNullOrWhiteSpace(release)
            ? await OnlineMetrics.FindReleaseAsync(db, release, cancellationToken)
            : await LatestReleaseAsync(db, target.Id, cancellationToken)
              ?? throw new OnlineQueryException("release", $"Module '{target.Name}' has no online events with descriptors yet; name a release.", 404);
        var latestHour = await db.DriftAggregates.Where(a => a.ModuleId == target.Id && a.ReleaseId == releaseId)
            .OrderByDescending(a => a.HourStart).Select(a => (DateTimeOffset?)a.HourStart).FirstOrDefaultAsync(cancellationToken);
        return (releaseId, releaseName, latestHour?.AddHours(1) ?? clock.GetUtcNow());
    }

    /// <summary>
    /// One descriptor's distribution in the release's reference run and in the window [from, to) side by side, on the
    /// descriptor's fine bins (a continuous one trimmed to the bins either side has members in) or its categories.
    /// </summary>
    public async Task<DriftDistribution> GetDistributionAsync(
        string? module, string? release, string? descriptor, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var target = await OnlineMetrics.FindModuleAsync(db, module, cancellationToken);
        if (string.IsNullOrWhiteSpace(release))
        {
            throw new OnlineQueryException("release", "release is required (a release name or id).");
        }

        var (releaseId, releaseName) = await OnlineMetrics.FindReleaseAsync(db, release, cancellationToken);
        var described = string.IsNullOrWhiteSpace(descriptor) ? throw new OnlineQueryException("descriptor", "descriptor is required, e.g. brightness or label.")
            : DriftDescriptors.Find(descriptor) ?? throw new OnlineQueryException("descriptor", $"There is no descriptor '{descriptor}'.", 404);
        if (from is not { } start || to is not { } end || start >= end || end - start > MaxRange)
        {
            throw new OnlineQueryException("from", $"from and to are required, from before to, at most {MaxRange.TotalDays:N0} days apart.");
        }

        var firstHour = Floor(start, 1);
        var rows = await db.DriftAggregates.AsNoTracking()
            .Where(a => a.ModuleId == target.Id && a.ReleaseId == releaseId && a.Descriptor == described.Name && a.HourStart >= firstHour && a.HourStart < end)
            .Select(a => new { a.Events, a.Bins }).ToListAsync(cancellationToken);
        var window = new DriftHistogram();
        foreach (var row in rows)
        {
            window.AddJson(row.Events, row.Bins);
        }

        var (reference, _, histograms) = await ReferenceAsync(db, target.Id, releaseId, cancellationToken);
        var referenceHistogram = histograms?.GetValueOrDefault(described.Name) ?? new DriftHistogram();
        return new DriftDistribution(target.Id, target.Name, releaseId, releaseName, described.Name, described.Title, described.IsContinuous, reference?.RunId,
            start, end, referenceHistogram.Events, window.Events, Shares(described, referenceHistogram, window));
    }

    private static List<DriftBinShare> Shares(DriftDescriptor descriptor, DriftHistogram reference, DriftHistogram window)
    {
        var (r, w) = (Math.Max(1, reference.Members), Math.Max(1, window.Members));
        DriftBinShare Share(string bin, string label, DriftBin a, DriftBin b) => new(
            bin, label, a.Count, (double)a.Count / r, b.Count, (double)b.Count / w,
            a.Count == 0 ? null : (double)a.Corrections / a.Count, b.Count == 0 ? null : (double)b.Corrections / b.Count);

        if (!descriptor.IsContinuous)
        {
            return reference.Bins.Keys.Union(window.Bins.Keys).Order(StringComparer.Ordinal)
                .Select(key => Share(key, key, reference.Bins.GetValueOrDefault(key), window.Bins.GetValueOrDefault(key))).ToList();
        }

        var scale = descriptor.Scale!;
        var (a, b) = (reference.Dense(scale), window.Dense(scale));
        var used = Enumerable.Range(0, scale.Bins).Where(i => a[i].Count > 0 || b[i].Count > 0).ToList();
        return used.Count == 0 ? []
            : Enumerable.Range(used[0], used[^1] - used[0] + 1)
                .Select(i => Share(DriftHistogram.KeyOf(i), BinLabel(scale, i), a[i], b[i])).ToList();
    }

    // "0.42–0.43": the bin's edges as values, with the significant digits its width needs.
    private static string BinLabel(DriftScale scale, int bin)
    {
        var (low, high) = (scale.LowerEdge(bin), scale.LowerEdge(bin + 1));
        var digits = Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Max(Math.Abs(high - low), 1e-12))), 0, 8);
        string Format(double v) => Math.Round(v, digits).ToString("0." + new string('#', digits), System.Globalization.CultureInfo.InvariantCulture);
        return $"{Format(low)}–{Format(high)}";
    }

    // Every current rule that applies to events (violated or not) and every earlier rule with counts in the range.
    private static async Task<List<DriftViolation>> ViolationsAsync(
        QualityHubDbContext db, int moduleId, int releaseId, DataRules? rules, List<(DateTimeOffset Hour, DateTimeOffset Window, DriftHistogram Counts)> counted,
        TimeSpan step, DriftSettings settings, CancellationToken cancellationToken)
    {
        var current = (rules?.Each() ?? []).Where(DataRules.AppliesToEvents).ToDictionary(r => r.Key, StringComparer.Ordinal);
        var keys = current.Keys.Union(counted.SelectMany(c => c.Counts.Bins.Keys), StringComparer.Ordinal);
        var windows = counted.GroupBy(c => c.Window).OrderBy(g => g.Key).ToList();
        var result = new List<DriftViolation>();
        foreach (var key in keys)
        {
            var rule = current.GetValueOrDefault(key);
            // A rule's bin: Count the events checked against it, Corrections those that broke it (DriftHistogram.AddChecks).
            var points = windows.Select(w => new ViolationPoint(w.Key, w.Key + step, w.Sum(c => c.Counts.Bins.GetValueOrDefault(key).Count),
                w.Sum(c => c.Counts.Bins.GetValueOrDefault(key).Corrections))).ToList();
            var (checkedCount, violated) = (points.Sum(p => p.Checked), points.Sum(p => p.Violations));
            var latest = points.LastOrDefault(p => p.Checked >= settings.MinEvents);
            var judged = latest is null ? null : RuleCount.Of(key, rule, latest.Checked, latest.Violations, []);
            var status = rule is null ? DriftStatus.Ok : judged?.Status ?? DriftStatus.TooFew;
            var lastHour = counted.Where(c => c.Counts.Bins.GetValueOrDefault(key).Corrections > 0).Select(c => (DateTimeOffset?)c.Hour).Max();
            var examples = rule is null || lastHour is not { } hour ? [] : await ExamplesAsync(db, moduleId, releaseId, rule, rules!, hour, cancellationToken);
            var whole = RuleCount.Of(key, rule, checkedCount, violated, examples);
            result.Add(new DriftViolation(key, whole.Kind, whole.Descriptor, whole.Text, whole.Current, checkedCount, violated, whole.Share, whole.MaxShare, status,
                latest?.T, latest?.End, judged?.Share, examples, points));
        }

        return result.OrderByDescending(v => DriftStatus.Rank(v.Status)).ThenByDescending(v => v.Violations).ThenBy(v => v.Key, StringComparer.Ordinal).ToList();
    }

    // Up to five ids of events that broke the rule in the last hour it was broken (a bounded read of one hour's events).
    private static async Task<List<string>> ExamplesAsync(
        QualityHubDbContext db, int moduleId, int releaseId, DataRule rule, DataRules rules, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var end = hour.AddHours(1);
        var events = db.OnlineEvents.AsNoTracking().Where(e => e.ReleaseId == releaseId && e.ModuleId == moduleId && e.Timestamp >= hour && e.Timestamp < end);
        var labels = rules.Labels?.ToList() ?? [];
        var range = rule.Kind == DataRuleKind.Range ? rules.Ranges![rule.Descriptor] : null;
        var (min, max) = (range?.Min ?? 0, range?.Max ?? 0);
        IQueryable<OnlineEvent>? broken = (rule.Kind, rule.Descriptor) switch
        {
            (DataRuleKind.Label, _) when rule.Key.StartsWith("label:predicted:", StringComparison.Ordinal) => events.Where(e => e.Predicted != null && !labels.Contains(e.Predicted)),
            (DataRuleKind.Label, _) => events.Where(e => e.Corrected && e.CorrectedValue != null && !labels.Contains(e.CorrectedValue)),
            (DataRuleKind.Range, "inputWidth") => events.Where(e => e.InputWidth < min || e.InputWidth > max),
            (DataRuleKind.Range, "inputHeight") => events.Where(e => e.InputHeight < min || e.InputHeight > max),
            (DataRuleKind.Range, "brightness") => events.Where(e => e.Brightness < min || e.Brightness > max),
            (DataRuleKind.Range, "contrast") => events.Where(e => e.Contrast < min || e.Contrast > max),
            (DataRuleKind.Range, "blur") => events.Where(e => e.Blur < min || e.Blur > max),
            (DataRuleKind.Range, "confidence") => events.Where(e => e.Confidence < min || e.Confidence > max),
            (DataRuleKind.Missing, "inputWidth") => events.Where(e => e.InputWidth == null),
            (DataRuleKind.Missing, "inputHeight") => events.Where(e => e.InputHeight == null),
            (DataRuleKind.Missing, "brightness") => events.Where(e => e.Brightness == null),
            (DataRuleKind.Missing, "contrast") => events.Where(e => e.Contrast == null),
            (DataRuleKind.Missing, "blur") => events.Where(e => e.Blur == null),
            (DataRuleKind.Missing, "confidence") => events.Where(e => e.Confidence == null),
            // A feature is inside a JSON array; its events are not picked out here.
            _ => null,
        };
        return broken is null ? [] : await broken.OrderBy(e => e.Timestamp).Take(5).Select(e => e.EventId).ToListAsync(cancellationToken);
    }

    /// <summary>A module's data validation rules; null when it has none.</summary>
    public async Task<DataRules?> GetRulesAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Modules.Where(m => m.Id == moduleId).Select(m => new { m.DataRulesJson }).SingleOrDefaultAsync(cancellationToken)
            ?? throw new OnlineQueryException("id", $"There is no module {moduleId}.", 404);
        return DataRules.Parse(stored.DataRulesJson);
    }

    /// <summary>
    /// Sets a module's data validation rules after checking them (a label set only for classifiers). They apply to
    /// events ingested from now on and to datasets checked from now on; counts made under the old rules stay theirs.
    /// </summary>
    public async Task<DataRules?> SetRulesAsync(int moduleId, DataRules rules, CancellationToken cancellationToken = default)
    {
        if (rules.Problem() is { } problem)
        {
            throw new OnlineQueryException(problem[..problem.IndexOfAny([' ', '.'])], problem);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken)
            ?? throw new OnlineQueryException("id", $"There is no module {moduleId}.", 404);
        if (rules.Labels is { Count: > 0 } && module.TaskType != TaskType.ImageClassification)
        {
            throw new OnlineQueryException("labels", $"Module '{module.Name}' is not a classifier; a label set applies to classifiers only.");
        }

        module.DataRulesJson = rules.IsEmpty ? null : JsonSerializer.Serialize(rules, DataRules.Json);
        await db.SaveChangesAsync(cancellationToken);
        return rules.IsEmpty ? null : rules;
    }

    /// <summary>
    /// Rules suggested from the release's reference run (or, without one, from nothing): the test set's label set, and
    /// per input descriptor the range its test images span (to their fine bins' edges), widened by a tenth of its width either side — a starting point
    /// the planner edits, not a verdict.
    /// </summary>
    public async Task<DataRules> SuggestRulesAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.AsNoTracking().SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken)
            ?? throw new OnlineQueryException("id", $"There is no module {moduleId}.", 404);
        if (await measuring.TestSetAsync(moduleId, cancellationToken) is not { } testSet)
        {
            throw new OnlineQueryException("module", $"Module '{module.Name}' has no test set to suggest rules from.", 404);
        }

        var labels = module.TaskType == TaskType.ImageClassification
            ? await db.Datasets.Where(d => d.Id == testSet.DatasetId).Select(d => d.Labels).SingleAsync(cancellationToken)
            : null;
        var run = await db.EvaluationRuns.Where(r => r.DatasetId == testSet.DatasetId && r.Status == RunStatus.Completed && r.ModelVersion!.ModuleId == moduleId)
            .OrderByDescending(r => r.Id).Select(r => (int?)r.Id).FirstOrDefaultAsync(cancellationToken);
        var histograms = run is { } id ? await profiles.GetAsync(id, cancellationToken) : null;
        var ranges = new Dictionary<string, ValueRange>(StringComparer.Ordinal);
        foreach (var descriptor in new[] { DriftDescriptors.InputWidth, DriftDescriptors.InputHeight, DriftDescriptors.Brightness, DriftDescriptors.Contrast, DriftDescriptors.Blur })
        {
            if (histograms?.GetValueOrDefault(descriptor.Name) is not { Members: > 0 } histogram)
            {
                continue;
            }

            var dense = histogram.Dense(descriptor.Scale!);
            var used = Enumerable.Range(0, dense.Length).Where(i => dense[i].Count > 0).ToList();
            var (low, high) = (descriptor.Scale!.LowerEdge(used[0]), descriptor.Scale.LowerEdge(used[^1] + 1));
            var margin = (high - low) / 10;
            ranges[descriptor.Name] = descriptor == DriftDescriptors.InputWidth || descriptor == DriftDescriptors.InputHeight
                ? new ValueRange(Math.Max(1, Math.Floor(low - margin)), Math.Min(DriftDescriptors.MaxInputSide, Math.Ceiling(high + margin)))
                : new ValueRange(Math.Round(Math.Max(0, low - margin), 4), Math.Round(Math.Min(UpperBound(descriptor), high + margin), 4));
        }

        return new DataRules
        {
            Labels = labels is { Count: > 0 } ? labels : null,
            Ranges = ranges,
            MaxMissingShare = ranges.Keys.ToDictionary(k => k, _ => 0.01, StringComparer.Ordinal),
        };
    }

    // The largest value an event may carry for a descriptor (what ingestion accepts).
    private static double UpperBound(DriftDescriptor descriptor) =>
        descriptor == DriftDescriptors.Contrast ? DriftDescriptors.MaxContrast : descriptor == DriftDescriptors.Blur ? DriftDescriptors.MaxBlur : 1;

    /// <summary>A module's drift thresholds and minimum samples (the defaults until someone sets them).</summary>
    public async Task<DriftSettings> GetSettingsAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Modules.Where(m => m.Id == moduleId).Select(m => new { m.DriftSettingsJson }).SingleOrDefaultAsync(cancellationToken)
            ?? throw new OnlineQueryException("id", $"There is no module {moduleId}.", 404);
        return SettingsOf(stored.DriftSettingsJson);
    }

    /// <summary>Sets a module's drift thresholds and minimum samples, after checking they make sense together.</summary>
    public async Task<DriftSettings> SetSettingsAsync(int moduleId, DriftSettings settings, CancellationToken cancellationToken = default)
    {
        if (settings.Problem() is { } problem)
        {
            throw new OnlineQueryException(problem[..problem.IndexOf(' ', StringComparison.Ordinal)], problem);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.SingleOrDefaultAsync(m => m.Id == moduleId, cancellationToken)
            ?? throw new OnlineQueryException("id", $"There is no module {moduleId}.", 404);
        module.DriftSettingsJson = JsonSerializer.Serialize(settings, SettingsJson);
        await db.SaveChangesAsync(cancellationToken);
        return settings;
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

    // One alert per drifted descriptor (its measures at alert in its latest window that claims something), and one per
    // label or confidence band corrected significantly more often than the reference got it wrong.
    private static List<DriftAlert> Alerts(List<DriftMeasure> measures, List<ConceptRow> byLabel, List<ConceptRow> byConfidence)
    {
        var alerts = new List<DriftAlert>();
        foreach (var descriptor in measures.GroupBy(m => m.Descriptor))
        {
            var drifted = descriptor.Where(m => m.Latest is { Status: DriftStatus.Alert }).ToList();
            if (drifted.Count == 0)
            {
                continue;
            }

            var at = drifted[0].Latest!;
            var values = string.Join(", ", drifted.Select(m => m.Kind is DriftMeasureKind.KolmogorovSmirnov or DriftMeasureKind.ChiSquare
                ? $"{(m.Kind == DriftMeasureKind.ChiSquare ? "chi-square" : "KS")} p = {PValue(m.Latest!.PValue)}"
                : $"{(m.Kind == DriftMeasureKind.Psi ? "PSI" : "JS")} {m.Latest!.Value:0.###}"));
            alerts.Add(new DriftAlert(descriptor.Key, drifted[0].DescriptorTitle, drifted.Select(m => m.Name).ToList(), at.T, at.End, at.N,
                $"{drifted[0].DescriptorTitle} drifted in the window {at.T:yyyy-MM-dd HH:mm} – {at.End:yyyy-MM-dd HH:mm} UTC ({at.N:N0} events): {values}."));
        }

        foreach (var (rows, what, descriptor) in new[] { (byLabel, "label", DriftDescriptors.Label), (byConfidence, "confidence", DriftDescriptors.Confidence) })
        {
            foreach (var row in rows.Where(r => r.Status == DriftStatus.Alert))
            {
                alerts.Add(new DriftAlert(descriptor.Name, $"Corrections by {what}", [$"{DriftMeasureKind.CorrectionRate}:{what}:{row.Key}"], null, null, row.WindowCount,
                    $"Outputs with {what} {row.Key} are corrected {row.WindowCorrectionRate:P1} of the time online ({row.WindowCount:N0} events), " +
                    $"against {row.ReferenceErrorRate:P1} wrong in the reference run (p = {PValue(row.PValue)})."));
            }
        }

        return alerts;
    }

    /// <summary>A p-value as people read it: four decimals, or a power of ten when tiny, or "&lt; 1e-300" below what a double holds.</summary>
    public static string PValue(double? p) => p switch
    {
        null => "—",
        < 1e-300 => "< 1e-300",
        < 1e-4 => p.Value.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture),
        _ => p.Value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
    };

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
