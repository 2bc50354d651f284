using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace QualityHub.Web.Features.Online;

/// <summary>One event of POST /api/events as sent, before it is checked: every field optional so the check can name what is missing.</summary>
public sealed class IncomingEvent
{
    public string? EventId { get; set; }

    /// <summary>The release's name (a string) or id (a number).</summary>
    public JsonElement? Release { get; set; }

    /// <summary>The module's name (a string) or id (a number).</summary>
    public JsonElement? Module { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public double? LatencyMs { get; set; }

    /// <summary>What the model answered: a string, or any JSON value (stored as its JSON text).</summary>
    public JsonElement? Predicted { get; set; }
    public bool? Corrected { get; set; }
    public JsonElement? CorrectedValue { get; set; }

    /// <summary>Optional: the model's confidence in its answer, 0–1.</summary>
    public double? Confidence { get; set; }

    /// <summary>Optional: the model's top labels with their scores, at most 10.</summary>
    public List<IncomingLabelScore?>? TopK { get; set; }

    /// <summary>Optional input descriptors, as QualityHub.Client's InputDescriber computes them.</summary>
    public int? InputWidth { get; set; }
    public int? InputHeight { get; set; }
    public double? Brightness { get; set; }
    public double? Contrast { get; set; }
    public double? Blur { get; set; }

    /// <summary>Optional: the service's own numeric features of the input, at most 32.</summary>
    public List<double>? Features { get; set; }
}

/// <summary>One entry of an event's top-k: a label and its score.</summary>
public sealed class IncomingLabelScore
{
    public string? Label { get; set; }
    public double? Score { get; set; }
}

/// <summary>Why a batch was refused, naming the offending field as <c>[index].field</c> (or <c>body</c>).</summary>
public sealed class EventBatchException(string field, string message, int? index = null) : Exception(message)
{
    public string Field { get; } = field;

    public int? Index { get; } = index;
}

/// <summary>
/// Reads a JSON array of events from a request body as it arrives, with System.Text.Json's
/// <see cref="JsonSerializer.DeserializeAsyncEnumerable{TValue}(Stream, JsonSerializerOptions?, CancellationToken)"/>
/// (one buffer of the body at a time, never the whole body). Errors name the event as <c>[index].field</c>; stops at the
/// first event past the limit.
/// </summary>
public static partial class EventBatchReader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        DefaultBufferSize = 64 * 1024, // as the hand-written reader read
    };

    private static readonly Dictionary<string, string> Expected = new(StringComparer.OrdinalIgnoreCase)
    {
        ["eventId"] = "a string",
        ["timestamp"] = "an ISO 8601 date and time with its offset, e.g. 2026-12-01T08:15:00Z",
        ["latencyMs"] = "a number of milliseconds",
        ["corrected"] = "true or false",
        ["confidence"] = "a number from 0 to 1",
        ["topK"] = "an array of {\"label\": string, \"score\": number}",
        ["inputWidth"] = "a whole number of pixels",
        ["inputHeight"] = "a whole number of pixels",
        ["brightness"] = "a number from 0 to 1",
        ["contrast"] = "a number from 0 to 0.5",
        ["blur"] = "a number from 0 to 16",
        ["features"] = "an array of numbers",
    };

    public static async Task<List<IncomingEvent>> ReadAsync(Stream body, int maxEvents, CancellationToken cancellationToken)
    {
        var events = new List<IncomingEvent>();
        try
        {
            await foreach (var e in JsonSerializer.DeserializeAsyncEnumerable<IncomingEvent>(body, Json, cancellationToken))
            {
                var index = events.Count;
                if (index == maxEvents)
                {
                    throw new EventBatchException($"[{maxEvents}]", $"A batch holds at most {maxEvents:N0} events; send the rest in another batch.", maxEvents);
                }

                events.Add(e ?? throw new EventBatchException($"[{index}]", $"[{index}] is null; each event is a JSON object.", index));
            }
        }
        catch (JsonException e)
        {
            throw Explain(e, events.Count);
        }

        return events;
    }

    // The serializer deserialises a buffer's worth of events before it yields them, and the index in its path counts from
    // the first event of that buffer: the event's place in the batch is the events yielded before plus that index.
    private static EventBatchException Explain(JsonException e, int yielded)
    {
        // A reader (syntax) error carries the reader's exception; a value that does not convert does not.
        var syntax = e.InnerException is JsonException;
        if (ElementPath().Match(e.Path ?? "") is not { Success: true } at)
        {
            return syntax
                ? new EventBatchException("body", $"The body is not valid JSON: {Reason(e)}")
                : new EventBatchException("body", "The body must be a JSON array of events.");
        }

        var index = yielded + int.Parse(at.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var name = at.Groups[2].Value.TrimStart('.');
        if (syntax)
        {
            return new EventBatchException($"[{index}]", $"The body is not valid JSON in or after event [{index}]: {Reason(e)}", index);
        }

        var field = name.Length == 0 ? $"[{index}]" : $"[{index}].{name}";
        return name.Length == 0 ? new EventBatchException(field, $"{field} must be a JSON object (an event).", index)
            : Expected.TryGetValue(name, out var expected) ? new EventBatchException(field, $"{field} must be {expected}.", index)
            : new EventBatchException(field, $"{field} cannot be read: {Reason(e)}", index);
    }

    // "$[17].latencyMs": the event's index within the buffer, and the field within it.
    [GeneratedRegex(@"^\$\[(\d+)\](.*)$")]
    private static partial Regex ElementPath();

    // The reader's own words, without the path and position the message repeats (positions are per buffer here).
    private static string Reason(JsonException e)
    {
        var message = e.Message;
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.Trim();
    }
}
