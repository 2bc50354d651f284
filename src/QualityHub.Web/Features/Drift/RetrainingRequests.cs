using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Drift;

/// <summary>The body of POST /api/retraining-requests.</summary>
public sealed record RetrainingRequestInput(string? Module, string? Release, string? Trigger, string? Reason, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>The body of PATCH /api/retraining-requests/{id}.</summary>
public sealed record RetrainingStatusInput(string? Status);

/// <summary>A retraining request as the API and the pages show it; SliceUrl exports the window's events (null without a window).</summary>
public sealed record RetrainingRequestView(
    int Id, int ModuleId, string Module, int? ReleaseId, string? Release, string Trigger, string Reason, DateTimeOffset? WindowFrom, DateTimeOffset? WindowTo,
    long WindowEvents, string Status, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, JsonElement Evidence, string? SliceUrl);

/// <summary>
/// Retraining requests: made from a drift alert (its window and what the drift report said about it, with example
/// events) or for another reason (a metric, a schedule, a judgement); listed with the module for modelers, who export the
/// window's events as JSON lines and move the request along.
/// </summary>
public sealed class RetrainingRequests(IDbContextFactory<QualityHubDbContext> contextFactory, DriftReports reports, TimeProvider clock)
{
    /// <summary>Example events kept in the evidence (the newest of the window).</summary>
    public const int Examples = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RetrainingRequestView> CreateAsync(RetrainingRequestInput input, string actor, CancellationToken cancellationToken = default)
    {
        var trigger = Enum.TryParse<RetrainingTrigger>(input.Trigger, ignoreCase: true, out var t) && Enum.IsDefined(t) && !int.TryParse(input.Trigger, out _)
            ? t
            : throw new OnlineQueryException("trigger", "trigger must be drift, metric, schedule or manual.");
        var reason = input.Reason?.Trim() is { Length: > 0 } r ? r : throw new OnlineQueryException("reason", "reason is required: say what asks for retraining.");
        if (reason.Length > RetrainingRequest.MaxReasonLength)
        {
            throw new OnlineQueryException("reason", $"reason is longer than {RetrainingRequest.MaxReasonLength:N0} characters.");
        }

        if ((input.From is null) != (input.To is null))
        {
            throw new OnlineQueryException(input.From is null ? "from" : "to", "A window needs both from and to (or neither).");
        }

        if (input.From is { } from && input.To is { } to && (from >= to || to - from > DriftReports.MaxRange))
        {
            throw new OnlineQueryException("from", $"from must be before to, at most {DriftReports.MaxRange.TotalDays:N0} days apart.");
        }

        if (trigger == RetrainingTrigger.Drift && (string.IsNullOrWhiteSpace(input.Release) || input.From is null))
        {
            throw new OnlineQueryException(string.IsNullOrWhiteSpace(input.Release) ? "release" : "from", "A drift request names the release and the window (from, to) that drifted.");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await OnlineMetrics.FindModuleAsync(db, input.Module, cancellationToken);
        (int Id, string Name)? release = string.IsNullOrWhiteSpace(input.Release) ? null : await OnlineMetrics.FindReleaseAsync(db, input.Release, cancellationToken);

        var (evidence, events) = release is { } rel && input.From is { } start && input.To is { } end
            ? await EvidenceAsync(db, module, rel, start, end, cancellationToken)
            : (JsonSerializer.SerializeToElement(new { note = "No window of production events: the request stands on its reason." }, Json), 0L);
        var request = new RetrainingRequest
        {
            ModuleId = module.Id,
            ReleaseId = release?.Id,
            Trigger = trigger,
            Reason = reason,
            WindowFrom = input.From?.ToUniversalTime(),
            WindowTo = input.To?.ToUniversalTime(),
            WindowEvents = events,
            EvidenceJson = evidence.GetRawText(),
            RequestedBy = actor,
            CreatedAt = clock.GetUtcNow(),
        };
        db.RetrainingRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        return (await ListAsync(db, request.Id, null, cancellationToken)).Single();
    }

    public async Task<IReadOnlyList<RetrainingRequestView>> ListAsync(string? module, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        int? moduleId = string.IsNullOrWhiteSpace(module) ? null : (await OnlineMetrics.FindModuleAsync(db, module, cancellationToken)).Id;
        return await ListAsync(db, null, moduleId, cancellationToken);
    }

    public async Task<RetrainingRequestView> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return (await ListAsync(db, id, null, cancellationToken)).SingleOrDefault()
            ?? throw new OnlineQueryException("id", $"There is no retraining request {id}.", 404);
    }

    public async Task<RetrainingRequestView> SetStatusAsync(int id, RetrainingStatusInput input, CancellationToken cancellationToken = default)
    {
        var status = Enum.TryParse<RetrainingStatus>(input.Status, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(input.Status, out _)
            ? s
            : throw new OnlineQueryException("status", "status must be open, inProgress, done or declined.");
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var request = await db.RetrainingRequests.SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
            ?? throw new OnlineQueryException("id", $"There is no retraining request {id}.", 404);
        (request.Status, request.UpdatedAt) = (status, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return (await ListAsync(db, id, null, cancellationToken)).Single();
    }

    /// <summary>
    /// Writes the request's data slice — every event of its module and release in its window, oldest first, one JSON
    /// object per line with its descriptors — as it reads them (never the whole slice in memory).
    /// </summary>
    public async Task WriteSliceAsync(int id, Stream output, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var request = await db.RetrainingRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
            ?? throw new OnlineQueryException("id", $"There is no retraining request {id}.", 404);
        if (request is not { ReleaseId: { } releaseId, WindowFrom: { } from, WindowTo: { } to })
        {
            throw new OnlineQueryException("id", $"Retraining request {id} names no window of production events, so it has no data slice.", 404);
        }

        var events = db.OnlineEvents.AsNoTracking()
            .Where(e => e.ModuleId == request.ModuleId && e.ReleaseId == releaseId && e.Timestamp >= from && e.Timestamp < to)
            .OrderBy(e => e.Timestamp).ThenBy(e => e.Id)
            .AsAsyncEnumerable();
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(Line(e), Json));
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static object Line(OnlineEvent e) => new
    {
        e.EventId,
        timestamp = e.Timestamp.ToString("O", CultureInfo.InvariantCulture),
        e.Predicted,
        e.Corrected,
        e.CorrectedValue,
        e.LatencyMs,
        e.Confidence,
        topK = e.TopKJson is null ? (JsonElement?)null : JsonDocument.Parse(e.TopKJson).RootElement,
        e.InputWidth,
        e.InputHeight,
        e.Brightness,
        e.Contrast,
        e.Blur,
        features = e.FeaturesJson is null ? (JsonElement?)null : JsonDocument.Parse(e.FeaturesJson).RootElement,
    };

    // What the drift report says about the window, and its newest events as examples.
    private async Task<(JsonElement Evidence, long Events)> EvidenceAsync(
        QualityHubDbContext db, (int Id, string Name) module, (int Id, string Name) release, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var report = await reports.GetAsync(module.Id.ToString(CultureInfo.InvariantCulture), release.Id.ToString(CultureInfo.InvariantCulture), from, to, null, cancellationToken);
        var window = db.OnlineEvents.AsNoTracking().Where(e => e.ModuleId == module.Id && e.ReleaseId == release.Id && e.Timestamp >= from && e.Timestamp < to);
        var count = await window.LongCountAsync(cancellationToken);
        var examples = await window.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id).Take(Examples).ToListAsync(cancellationToken);
        var evidence = new
        {
            report.Reference,
            report.ReferenceMissing,
            report.Settings,
            report.Alerts,
            report.TopDrifting,
            correctionsByLabel = report.CorrectionsByLabel.Where(r => r.Status != Core.Drift.DriftStatus.TooFew),
            correctionsByConfidence = report.CorrectionsByConfidence.Where(r => r.Status != Core.Drift.DriftStatus.TooFew),
            examples = examples.Select(Line),
        };
        return (JsonSerializer.SerializeToElement(evidence, Json), count);
    }

    private static async Task<List<RetrainingRequestView>> ListAsync(QualityHubDbContext db, int? id, int? moduleId, CancellationToken cancellationToken)
    {
        var rows = await db.RetrainingRequests.AsNoTracking()
            .Where(r => (id == null || r.Id == id) && (moduleId == null || r.ModuleId == moduleId))
            .OrderByDescending(r => r.Id)
            .Select(r => new
            {
                Request = r,
                Module = db.Modules.Where(m => m.Id == r.ModuleId).Select(m => m.Name).Single(),
                Release = db.Releases.Where(x => x.Id == r.ReleaseId).Select(x => x.Name).SingleOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return rows.Select(x => new RetrainingRequestView(
            x.Request.Id, x.Request.ModuleId, x.Module, x.Request.ReleaseId, x.Release, JsonNamingPolicy.CamelCase.ConvertName(x.Request.Trigger.ToString()),
            x.Request.Reason, x.Request.WindowFrom, x.Request.WindowTo, x.Request.WindowEvents, JsonNamingPolicy.CamelCase.ConvertName(x.Request.Status.ToString()),
            x.Request.RequestedBy, x.Request.CreatedAt, x.Request.UpdatedAt, JsonDocument.Parse(x.Request.EvidenceJson).RootElement,
            x.Request.WindowFrom is null ? null : $"/api/retraining-requests/{x.Request.Id}/slice.jsonl")).ToList();
    }
}
