using System.Text.Json;
using System.Text.Json.Serialization;

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
}

/// <summary>Why a batch was refused, naming the offending field as <c>[index].field</c> (or <c>body</c>).</summary>
public sealed class EventBatchException(string field, string message, int? index = null) : Exception(message)
{
    public string Field { get; } = field;

    public int? Index { get; } = index;
}

/// <summary>
/// Reads a JSON array of events from a request body as it arrives (System.Text.Json's async enumerable: the array is
/// never buffered as text), stopping at the first event past the limit.
/// </summary>
public static class EventBatchReader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly Dictionary<string, string> Expected = new(StringComparer.OrdinalIgnoreCase)
    {
        ["eventId"] = "a string",
        ["release"] = "a release name or id",
        ["module"] = "a module name or id",
        ["timestamp"] = "an ISO 8601 date and time with its offset, e.g. 2026-12-01T08:15:00Z",
        ["latencyMs"] = "a number of milliseconds",
        ["corrected"] = "true or false",
    };

    public static async Task<List<IncomingEvent>> ReadAsync(Stream body, int maxEvents, CancellationToken cancellationToken)
    {
        var events = new List<IncomingEvent>();
        try
        {
            await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable<IncomingEvent>(body, Json, cancellationToken))
            {
                if (events.Count == maxEvents)
                {
                    throw new EventBatchException($"[{maxEvents}]", $"A batch holds at most {maxEvents:N0} events; send the rest in another batch.", maxEvents);
                }

                if (item is null)
                {
                    throw new EventBatchException($"[{events.Count}]", $"[{events.Count}] is null; each event is a JSON object.", events.Count);
                }

                events.Add(item);
            }
        }
        catch (JsonException e)
        {
            throw Describe(e);
        }

        return events;
    }

    /// <summary>Turns System.Text.Json's error into one that names the field the way the API documents it.</summary>
    private static EventBatchException Describe(JsonException e)
    {
        var path = e.Path ?? "$";
        if (path == "$")
        {
            return new EventBatchException("body", e.LineNumber is null
                ? "The body is empty or is not a JSON array of events."
                : $"The body must be a JSON array of events (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {Reason(e)}).");
        }

        var field = path.StartsWith('$') ? path[1..] : path;
        int? index = null;
        if (field.StartsWith('[') && field.IndexOf(']') is > 1 and var end && int.TryParse(field[1..end], out var i))
        {
            index = i;
        }

        var name = field.Split('.').Last();
        if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && Expected.TryGetValue(name, out var expected))
        {
            return new EventBatchException(field, $"{field} must be {expected}.", index);
        }

        if (!field.Contains('.') && e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return new EventBatchException(field, $"{field} is not a JSON object; each event is one.", index);
        }

        return new EventBatchException(field, $"The body is not valid JSON at {field} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {Reason(e)}", index);
    }

    // The reader's own words, without the path and position the message repeats.
    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
