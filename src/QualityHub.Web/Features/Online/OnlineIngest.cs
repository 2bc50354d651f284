using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Drift;
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
            rows.Add(new OnlineEventRow(
                e.EventId, release.Id, moduleId, timestamp.ToUniversalTime(), latency, predicted, corrected, correctedValue, Descriptors(e, Bad)));
        }

        return rows;
    }

    /// <summary>At most this many entries in an event's top-k.</summary>
    public const int MaxTopK = 10;

    // The optional descriptors, each checked against its range; null when the event carries none.
    private static EventDescriptors? Descriptors(IncomingEvent e, Func<string, string, EventBatchException> bad)
    {
        if (e is { Confidence: null, TopK: null, InputWidth: null, InputHeight: null, Brightness: null, Contrast: null, Blur: null, Features: null })
        {
            return null;
        }

        double? InRange(double? value, string field, double max) => value switch
        {
            null => null,
            { } v when double.IsFinite(v) && v >= 0 && v <= max => v,
            { } v => throw bad(field, $"must be a number from 0 to {max.ToString(CultureInfo.InvariantCulture)}, not {v.ToString(CultureInfo.InvariantCulture)}."),
        };

        int? Side(int? value, string field) => value is null or (>= 1 and <= DriftDescriptors.MaxInputSide) ? value
            : throw bad(field, $"must be 1 to {DriftDescriptors.MaxInputSide:N0} pixels, not {value}.");

        if (e.Features is { } features)
        {
            if (features.Count is 0 or > DriftDescriptors.MaxFeatures)
            {
                throw bad("features", $"must hold 1 to {DriftDescriptors.MaxFeatures} numbers, not {features.Count}.");
            }

            for (var f = 0; f < features.Count; f++)
            {
                if (!double.IsFinite(features[f]) || Math.Abs(features[f]) > DriftDescriptors.MaxFeatureMagnitude)
                {
                    throw bad($"features[{f}]", $"must be a finite number within ±{DriftDescriptors.MaxFeatureMagnitude:0e0}, not {features[f].ToString(CultureInfo.InvariantCulture)}.");
                }
            }
        }

        return new EventDescriptors(
            InRange(e.Confidence, "confidence", 1), TopKJson(e.TopK, bad),
            Side(e.InputWidth, "inputWidth"), Side(e.InputHeight, "inputHeight"),
            InRange(e.Brightness, "brightness", 1), InRange(e.Contrast, "contrast", DriftDescriptors.MaxContrast), InRange(e.Blur, "blur", DriftDescriptors.MaxBlur),
            e.Features);
    }

    // The top-k as stored: labels unique and not empty, scores 0–1.
    private static string? TopKJson(List<IncomingLabelScore?>? topK, Func<string, string, EventBatchException> bad)
    {
        if (topK is null)
        {
            return null;
        }

        if (topK.Count is 0 or > MaxTopK)
        {
            throw bad("topK", $"must hold 1 to {MaxTopK} entries, not {topK.Count}.");
        }

        var labels = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 0; k < topK.Count; k++)
        {
            var entry = topK[k] ?? throw bad($"topK[{k}]", "is null; each entry is {\"label\": …, \"score\": …}.");
            if (string.IsNullOrEmpty(entry.Label) || entry.Label.Length > DriftDescriptors.MaxLabelLength)
            {
                throw bad($"topK[{k}].label", $"must be a label of 1 to {DriftDescriptors.MaxLabelLength} characters.");
            }

            if (!labels.Add(entry.Label))
            {
                throw bad($"topK[{k}].label", $"repeats '{entry.Label}'; each label appears once.");
            }

            if (entry.Score is not { } score || !double.IsFinite(score) || score < 0 || score > 1)
            {
                throw bad($"topK[{k}].score", "must be a number from 0 to 1.");
            }
        }

        return JsonSerializer.Serialize(topK.Select(t => new { label = t!.Label, score = t.Score }));
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
