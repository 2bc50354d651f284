using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Online;

/// <summary>One minute or hour of a release's online events: volume, online accuracy (correction rate) and latency.</summary>
public sealed record OnlinePoint(DateTimeOffset T, long Count, double Qps, long Corrections, double CorrectionRate, double MeanMs, double? P50, double? P95, double? P99);

/// <summary>Latency percentiles of the latest completed test-set run of the release's model version for the module.</summary>
public sealed record OfflineLatency(int RunId, string Dataset, string Version, double P50, double P95, double P99);

/// <summary>Totals of one release over the whole range, from its summed histograms.</summary>
public sealed record OnlineTotals(long Count, long Corrections, double? CorrectionRate, double? MeanMs, double? P50, double? P95, double? P99);

/// <summary>One release's online series for a module, with its offline latency and when its events began (the release marker).</summary>
public sealed record ReleaseSeries(
    int ReleaseId, string Release, DateTimeOffset? FirstEventAt, OfflineLatency? Offline, OnlineTotals Totals, IReadOnlyList<OnlinePoint> Points);

/// <summary>
/// The answer of GET /api/online/series. Resolution is the aggregate rows read (minute or hour); each point sums
/// StepSeconds of them (a multiple of the resolution) so a chart gets at most MaxPoints points per release.
/// </summary>
public sealed record OnlineSeries(
    int ModuleId, string Module, string Resolution, int BucketSeconds, int StepSeconds, DateTimeOffset From, DateTimeOffset To, double PercentileErrorBound,
    IReadOnlyList<ReleaseSeries> Releases);

/// <summary>A module with online events, for the page's picker.</summary>
public sealed record OnlineModule(int Id, string Name, long Events);

/// <summary>Why a series cannot be answered; the endpoint turns it into 400 or 404.</summary>
public sealed class OnlineQueryException(string field, string message, int status = 400) : Exception(message)
{
    public string Field { get; } = field;

    public int Status { get; } = status;

    /// <summary>The answer an endpoint gives for it: a problem naming the parameter (400, or 404 for what does not exist).</summary>
    public IResult ToProblem() => Results.Problem(statusCode: Status, title: Status == 404 ? "Not found" : "Bad request", detail: Message,
        extensions: new Dictionary<string, object?> { ["field"] = Field });
}

/// <summary>Reads online series, totals and markers from the minute and hour aggregates (never from the raw events).</summary>
public sealed class OnlineMetrics(IDbContextFactory<QualityHubDbContext> contextFactory, TimeProvider clock, MeasuringRuns measuring)
{
    /// <summary>Ranges up to this long are drawn per minute, longer ones per hour.</summary>
    public static readonly TimeSpan MinuteResolutionUpTo = TimeSpan.FromHours(24);

    /// <summary>Most aggregate rows one series may span (per release).</summary>
    public const int MaxBuckets = 20_000;

    /// <summary>
    /// Points per release a chart gets by default: more than a chart's width in pixels is drawn at no gain, and Plotly
    /// draws 1,440 points per trace in three charts noticeably slower than 360.
    /// </summary>
    public const int DefaultMaxPoints = 360;

    /// <summary>Event ids of the synthetic demo stream start with this.</summary>
    public const string DemoEventPrefix = "qualityhub-demo-";

    public async Task<IReadOnlyList<OnlineModule>> GetModulesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.OnlineAggregates.Where(a => a.BucketSeconds == OnlineAggregate.HourSeconds)
            .GroupBy(a => a.ModuleId).Select(g => new { g.Key, Events = g.Sum(a => a.Count) }).ToListAsync(cancellationToken);
        var names = await db.Modules.AsNoTracking().Select(m => new { m.Id, m.Name }).ToListAsync(cancellationToken);
        var serving = (await db.ProductionHistory.Select(p => p.ModuleId).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        // Modules with events first, then those in production (whose events are expected), then the rest (new
        // modules and pipelines not yet released), each by name.
        return names.Select(m => new OnlineModule(m.Id, m.Name, counts.FirstOrDefault(c => c.Key == m.Id)?.Events ?? 0))
            .OrderByDescending(m => m.Events > 0).ThenByDescending(m => serving.Contains(m.Id)).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether the store holds events of the synthetic demo stream (one index lookup).</summary>
    public async Task<bool> HasDemoEventsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        // A range on the unique index; StartsWith would become LIKE, which SQLite answers by scanning every event.
        const string after = "qualityhub-demo."; // '.' follows '-'
        return await db.OnlineEvents.AnyAsync(e => e.EventId.CompareTo(DemoEventPrefix) >= 0 && e.EventId.CompareTo(after) < 0, cancellationToken);
    }

    /// <summary>
    /// The series of <paramref name="module"/> (name or id) between from and to (default: the last 7 days), one entry per
    /// release with events there (or only <paramref name="release"/>). Resolution "minute", "hour" or null (by the range).
    /// </summary>
    public async Task<OnlineSeries> GetSeriesAsync(
        string? module, string? release, DateTimeOffset? from, DateTimeOffset? to, string? resolution, int? maxPoints = null, CancellationToken cancellationToken = default)
    {
        if (maxPoints is < 1 or > MaxBuckets)
        {
            throw new OnlineQueryException("maxPoints", $"maxPoints must be 1 to {MaxBuckets:N0}.");
        }

        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-7);
        if (start >= end)
        {
            throw new OnlineQueryException("from", "from must be before to.");
        }

        var seconds = resolution?.ToLowerInvariant() switch
        {
            null or "" or "auto" => end - start <= MinuteResolutionUpTo ? OnlineAggregate.MinuteSeconds : OnlineAggregate.HourSeconds,
            "minute" => OnlineAggregate.MinuteSeconds,
            "hour" => OnlineAggregate.HourSeconds,
            _ => throw new OnlineQueryException("resolution", $"resolution must be minute, hour or auto, not '{resolution}'."),
        };
        var buckets = (end - start).TotalSeconds / seconds;
        if (buckets > MaxBuckets)
        {
            throw new OnlineQueryException("resolution", $"That range holds more than {MaxBuckets:N0} {(seconds == 60 ? "minutes" : "hours")}; ask for hours or a shorter range.");
        }

        var step = seconds * (int)Math.Max(1, Math.Ceiling(buckets / (maxPoints ?? DefaultMaxPoints)));

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var target = await FindModuleAsync(db, module, cancellationToken);
        int? releaseId = string.IsNullOrWhiteSpace(release) ? null : (await FindReleaseAsync(db, release, cancellationToken)).Id;

        var firstBucket = Floor(start, seconds);
        var rows = await db.OnlineAggregates.AsNoTracking()
            .Where(a => a.ModuleId == target.Id && a.BucketSeconds == seconds && a.BucketStart >= firstBucket && a.BucketStart < end)
            .Where(a => releaseId == null || a.ReleaseId == releaseId)
            .OrderBy(a => a.BucketStart)
            .ToListAsync(cancellationToken);
        var releaseIds = rows.Select(r => r.ReleaseId).Distinct().ToList();
        if (releaseId is { } only && !releaseIds.Contains(only))
        {
            releaseIds.Add(only);
        }

        var names = await db.Releases.Where(r => releaseIds.Contains(r.Id)).Select(r => new { r.Id, r.Name, r.CreatedAt }).ToListAsync(cancellationToken);
        var firsts = await FirstEventsAsync(db, target.Id, releaseIds, cancellationToken);
        var offline = await OfflineLatencyAsync(db, target.Id, releaseIds, cancellationToken);

        var series = names
            .Select(r =>
            {
                var own = rows.Where(a => a.ReleaseId == r.Id).ToList();
                return new ReleaseSeries(r.Id, r.Name, firsts.GetValueOrDefault(r.Id), offline.GetValueOrDefault(r.Id), Totals(own), Points(own, step));
            })
            .OrderBy(s => s.FirstEventAt ?? DateTimeOffset.MaxValue).ThenBy(s => s.ReleaseId)
            .ToList();
        return new OnlineSeries(target.Id, target.Name, seconds == 60 ? "minute" : "hour", seconds, step, start, end, LatencyHistogram.RelativeErrorBound, series);
    }

    /// <summary>Totals per release of a module over [from, to) at minute resolution (for alerts).</summary>
    public async Task<IReadOnlyList<(int ModuleId, string Module, int ReleaseId, string Release, OnlineTotals Totals)>> GetWindowTotalsAsync(
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var first = Floor(from, OnlineAggregate.MinuteSeconds);
        var modules = await db.Modules.AsNoTracking().Select(m => new { m.Id, m.Name }).ToListAsync(cancellationToken);
        var releases = await db.Releases.AsNoTracking().Select(r => new { r.Id, r.Name }).ToListAsync(cancellationToken);
        var result = new List<(int, string, int, string, OnlineTotals)>();
        foreach (var m in modules)
        {
            var rows = await db.OnlineAggregates.AsNoTracking()
                .Where(a => a.ModuleId == m.Id && a.BucketSeconds == OnlineAggregate.MinuteSeconds && a.BucketStart >= first && a.BucketStart < to)
                .ToListAsync(cancellationToken);
            foreach (var group in rows.GroupBy(a => a.ReleaseId).OrderBy(g => g.Key))
            {
                result.Add((m.Id, m.Name, group.Key, releases.Single(r => r.Id == group.Key).Name, Totals(group.ToList())));
            }
        }

        return result;
    }

    public static OnlineTotals Totals(IReadOnlyList<OnlineAggregate> rows)
    {
        var histogram = LatencyHistogram.Empty();
        long count = 0, corrections = 0;
        double sum = 0;
        foreach (var row in rows)
        {
            count += row.Count;
            corrections += row.Corrections;
            sum += row.LatencySumMs;
            LatencyHistogram.AddBytes(histogram, row.LatencyHistogram);
        }

        return count == 0
            ? new OnlineTotals(0, 0, null, null, null, null, null)
            : new OnlineTotals(count, corrections, (double)corrections / count, sum / count,
                LatencyHistogram.Percentile(histogram, 50), LatencyHistogram.Percentile(histogram, 95), LatencyHistogram.Percentile(histogram, 99));
    }

    /// <summary>Rows (in time order) summed into points of <paramref name="step"/> seconds; histograms add, so percentiles stay exact to the bound.</summary>
    private static List<OnlinePoint> Points(List<OnlineAggregate> rows, int step)
    {
        var points = new List<OnlinePoint>();
        foreach (var group in rows.GroupBy(r => Floor(r.BucketStart, step)))
        {
            var t = Totals(group.ToList());
            points.Add(new OnlinePoint(group.Key, t.Count, (double)t.Count / step, t.Corrections, t.CorrectionRate ?? 0, t.MeanMs ?? 0, t.P50, t.P95, t.P99));
        }

        return points;
    }

    private static DateTimeOffset Floor(DateTimeOffset t, int seconds)
    {
        var width = seconds * TimeSpan.TicksPerSecond;
        return new DateTimeOffset(t.UtcTicks - t.UtcTicks % width, TimeSpan.Zero);
    }

    /// <summary>A module by name or id, or an OnlineQueryException (400 when missing, 404 when unknown).</summary>
    internal static async Task<(int Id, string Name)> FindModuleAsync(QualityHubDbContext db, string? module, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(module))
        {
            throw new OnlineQueryException("module", "module is required (a module name or id).");
        }

        var found = int.TryParse(module, out var id)
            ? await db.Modules.Where(m => m.Id == id).Select(m => new { m.Id, m.Name }).SingleOrDefaultAsync(cancellationToken)
            : await db.Modules.Where(m => m.Name == module).Select(m => new { m.Id, m.Name }).SingleOrDefaultAsync(cancellationToken);
        return found is null ? throw new OnlineQueryException("module", $"There is no module '{module}'.", 404) : (found.Id, found.Name);
    }

    /// <summary>A release by name or id, or an OnlineQueryException (404).</summary>
    internal static async Task<(int Id, string Name)> FindReleaseAsync(QualityHubDbContext db, string release, CancellationToken cancellationToken)
    {
        var found = int.TryParse(release, out var id)
            ? await db.Releases.Where(r => r.Id == id).Select(r => new { r.Id, r.Name }).SingleOrDefaultAsync(cancellationToken)
            : await db.Releases.Where(r => r.Name == release).Select(r => new { r.Id, r.Name }).SingleOrDefaultAsync(cancellationToken);
        return found is null ? throw new OnlineQueryException("release", $"There is no release '{release}'.", 404) : (found.Id, found.Name);
    }

    /// <summary>When each release's events of the module begin: the earliest hour row, then the earliest minute in it.</summary>
    private static async Task<Dictionary<int, DateTimeOffset>> FirstEventsAsync(QualityHubDbContext db, int moduleId, List<int> releaseIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<int, DateTimeOffset>();
        foreach (var releaseId in releaseIds)
        {
            var hour = await db.OnlineAggregates
                .Where(a => a.ModuleId == moduleId && a.BucketSeconds == OnlineAggregate.HourSeconds && a.ReleaseId == releaseId)
                .OrderBy(a => a.BucketStart).Select(a => (DateTimeOffset?)a.BucketStart).FirstOrDefaultAsync(cancellationToken);
            if (hour is not { } h)
            {
                continue;
            }

            var next = h.AddHours(1);
            var minute = await db.OnlineAggregates
                .Where(a => a.ModuleId == moduleId && a.BucketSeconds == OnlineAggregate.MinuteSeconds && a.BucketStart >= h && a.BucketStart < next && a.ReleaseId == releaseId)
                .OrderBy(a => a.BucketStart).Select(a => (DateTimeOffset?)a.BucketStart).FirstOrDefaultAsync(cancellationToken);
            result[releaseId] = minute ?? h;
        }

        return result;
    }

    /// <summary>
    /// Offline processing time per release: the measuring run (<see cref="MeasuringRuns"/>) of the version the release
    /// ships for the module, on the module's test set — one input at a time, end to end, as on every other page.
    /// </summary>
    private async Task<Dictionary<int, OfflineLatency>> OfflineLatencyAsync(QualityHubDbContext db, int moduleId, List<int> releaseIds, CancellationToken cancellationToken)
    {
        var entries = await db.ReleaseEntries.AsNoTracking().Where(e => e.ModuleId == moduleId && releaseIds.Contains(e.ReleaseId))
            .Select(e => new { e.ReleaseId, e.ModelVersionId, Version = e.ModelVersion!.Name }).ToListAsync(cancellationToken);
        var result = new Dictionary<int, OfflineLatency>();
        if (await measuring.TestSetAsync(moduleId, cancellationToken) is not { } testSet)
        {
            return result;
        }

        var runs = await measuring.OfVersionsAsync(entries.Select(e => e.ModelVersionId).Distinct().ToList(), testSet.DatasetId, cancellationToken);
        foreach (var entry in entries)
        {
            if (runs.GetValueOrDefault(entry.ModelVersionId) is { Metrics.ProcessingTime: { } time } run)
            {
                result[entry.ReleaseId] = new OfflineLatency(run.RunId, run.Dataset, entry.Version, time.P50Ms, time.P95Ms.Value, time.P99Ms);
            }
        }

        return result;
    }
}
