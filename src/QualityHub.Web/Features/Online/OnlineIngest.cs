using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Data.Online;

namespace QualityHub.Web.Features.Online;

/// <summary>The answer of POST /api/events: events stored now, and events whose id was stored before (counted once).</summary>
public sealed record EventBatchResult(int Received, int Accepted, int Duplicates);

/// <summary>
/// Checks a whole batch of online events (every event, before anything is stored), resolves release and module names,
/// stores it in one transaction and tells the notifier.
/// </summary>
public sealed class OnlineIngest(
    IDbContextFactory<QualityHubDbContext> contextFactory, OnlineEventStore store, OnlineNotifier notifier, IOptions<OnlineOptions> options, TimeProvider clock)
{
    public const int MaxEventIdLength = 200;
    public const int MaxValueLength = 4000;

    /// <summary>Latencies above an hour are a sender's unit mistake, not a measurement.</summary>
    public const double MaxLatencyMs = 3_600_000;

    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public async Task<EventBatchResult> IngestAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken = default)
    {
        var rows = await CheckAsync(batch, cancellationToken);
        var result = await store.WriteAsync(rows, cancellationToken);
        if (result.Accepted > 0)
        {
            notifier.Publish(new OnlineBatchStored(clock.GetUtcNow(), result.Accepted, result.Duplicates, result.Minutes));
        }

        return new EventBatchResult(batch.Count, result.Accepted, result.Duplicates);
    }

    /// <summary>Every event checked and resolved, or the first problem as an EventBatchException.</summary>
    public async Task<List<OnlineEventRow>> CheckAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var modules = await db.Modules.AsNoTracking().Select(m => new { m.Id, m.Name }).ToListAsync(cancellationToken);
        var releases = await db.Releases.AsNoTracking()
            .Select(r => new { r.Id, r.Name, Modules = r.Entries.Select(e => e.ModuleId).ToList() }).ToListAsync(cancellationToken);
        var moduleById = modules.ToDictionary(m => m.Id, m => m.Name);
        var moduleByName = modules.ToDictionary(m => m.Name, m => m.Id, StringComparer.Ordinal);
        var releaseById = releases.ToDictionary(r => r.Id);
        var releaseByName = releases.ToDictionary(r => r.Name, StringComparer.Ordinal);

        var latest = clock.GetUtcNow().AddMinutes(options.Value.MaxClockSkewMinutes);
        var seen = new Dictionary<string, int>(batch.Count, StringComparer.Ordinal);
        var rows = new List<OnlineEventRow>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            EventBatchException Bad(string field, string message) => new($"[{i}].{field}", $"[{i}].{field} {message}", i);

            if (string.IsNullOrWhiteSpace(e.EventId))
            {
                throw Bad("eventId", "is missing; every event needs a unique id (it makes a re-sent batch count once).");
            }

            if (e.EventId.Length > MaxEventIdLength)
            {
                throw Bad("eventId", $"is longer than {MaxEventIdLength} characters.");
            }

            if (!seen.TryAdd(e.EventId, i))
            {
                throw Bad("eventId", $"repeats the id of [{seen[e.EventId]}] ('{e.EventId}'); ids are unique within a batch.");
            }

            var release = e.Release switch
            {
                null or { ValueKind: JsonValueKind.Null } => throw Bad("release", "is missing (a release name or id)."),
                { ValueKind: JsonValueKind.String } name when releaseByName.TryGetValue(name.GetString()!, out var r) => r,
                { ValueKind: JsonValueKind.Number } id when id.TryGetInt32(out var n) && releaseById.TryGetValue(n, out var r) => r,
                { ValueKind: JsonValueKind.String or JsonValueKind.Number } other => throw Bad("release", $"names no release: {other.GetRawText()}."),
                _ => throw Bad("release", "must be a release name (string) or id (number)."),
            };

            var moduleId = e.Module switch
            {
                null or { ValueKind: JsonValueKind.Null } => throw Bad("module", "is missing (a module name or id)."),
                { ValueKind: JsonValueKind.String } name when moduleByName.TryGetValue(name.GetString()!, out var id) => id,
                { ValueKind: JsonValueKind.Number } id when id.TryGetInt32(out var n) && moduleById.ContainsKey(n) => n,
                { ValueKind: JsonValueKind.String or JsonValueKind.Number } other => throw Bad("module", $"names no module: {other.GetRawText()}."),
                _ => throw Bad("module", "must be a module name (string) or id (number)."),
            };

            if (!release.Modules.Contains(moduleId))
            {
                throw Bad("module", $"'{moduleById[moduleId]}' is not part of release {release.Name}.");
            }

            if (e.Timestamp is not { } timestamp)
            {
                throw Bad("timestamp", "is missing (an ISO 8601 date and time, e.g. 2026-12-01T08:15:00Z).");
            }

            if (timestamp > latest)
            {
                throw Bad("timestamp", $"{timestamp:O} is in the future (more than {options.Value.MaxClockSkewMinutes} minutes ahead of the server's clock).");
            }

            if (timestamp < Earliest)
            {
                throw Bad("timestamp", $"{timestamp:O} is before {Earliest:yyyy-MM-dd}.");
            }

            if (e.LatencyMs is not { } latency)
            {
                throw Bad("latencyMs", "is missing (milliseconds from input to output).");
            }

            if (!double.IsFinite(latency) || latency < 0)
            {
                throw Bad("latencyMs", $"must be a finite number of milliseconds, 0 or more, not {latency}.");
            }

            if (latency > MaxLatencyMs)
            {
                throw Bad("latencyMs", $"is {latency:N0} ms, more than an hour: is it in milliseconds?");
            }

            if (e.Corrected is not { } corrected)
            {
                throw Bad("corrected", "is missing (true when the user edited the output).");
            }

            var predicted = Text(e.Predicted, () => Bad("predicted", $"is longer than {MaxValueLength} characters."));
            var correctedValue = Text(e.CorrectedValue, () => Bad("correctedValue", $"is longer than {MaxValueLength} characters."));
            rows.Add(new OnlineEventRow(e.EventId, release.Id, moduleId, timestamp.ToUniversalTime(), latency, predicted, corrected, correctedValue));
        }

        return rows;
    }

    private static string? Text(JsonElement? value, Func<EventBatchException> tooLong)
    {
        var text = value switch
        {
            null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { } other => other.GetRawText(),
        };
        return text is { Length: > MaxValueLength } ? throw tooLong() : text;
    }
}
