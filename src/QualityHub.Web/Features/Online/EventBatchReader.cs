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
/// Reads a JSON array of events from a request body as it arrives: a Utf8JsonReader walks the array over a buffer that
/// holds only the part not yet read (never the whole body), and each complete element is deserialised on its own, so an
/// error names its index exactly. Stops at the first event past the limit.
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
        ["timestamp"] = "an ISO 8601 date and time with its offset, e.g. 2026-12-01T08:15:00Z",
        ["latencyMs"] = "a number of milliseconds",
        ["corrected"] = "true or false",
    };

    public static async Task<List<IncomingEvent>> ReadAsync(Stream body, int maxEvents, CancellationToken cancellationToken)
    {
        var events = new List<IncomingEvent>();
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        var state = new JsonReaderState();
        var opened = false;
        var closed = false;
        var final = false;
        while (true)
        {
            // Keep only what is not yet read, at the front; grow when one element is larger than the buffer.
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await body.ReadAsync(buffer.AsMemory(end), cancellationToken);
            end += read;
            final = read == 0;
            var consumed = Walk(buffer.AsSpan(start, end - start), final, ref state, ref opened, ref closed, events, maxEvents);
            start += consumed;
            if (final)
            {
                return events;
            }
        }
    }

    /// <summary>Reads every complete element in <paramref name="data"/>; returns the bytes consumed up to the last one.</summary>
    private static int Walk(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, ref bool opened, ref bool closed, List<IncomingEvent> events, int maxEvents)
    {
        var reader = new Utf8JsonReader(data, final, state);
        var consumed = 0;
        try
        {
            while (true)
            {
                if (!reader.Read())
                {
                    if (final && !opened)
                    {
                        throw new EventBatchException("body", "The body is empty; it must be a JSON array of events.");
                    }

                    if (final && !closed)
                    {
                        throw new EventBatchException("body", $"The body ends inside the array, after {events.Count} complete events (truncated?).");
                    }

                    break;
                }

                if (!opened)
                {
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new EventBatchException("body", $"The body must be a JSON array of events, not {Describe(reader.TokenType)}.");
                    }

                    opened = true;
                }
                else if (closed)
                {
                    throw new EventBatchException("body", "The body goes on after the array of events ends.");
                }
                else if (reader.TokenType == JsonTokenType.EndArray)
                {
                    closed = true;
                }
                else
                {
                    var index = events.Count;
                    if (index == maxEvents)
                    {
                        throw new EventBatchException($"[{maxEvents}]", $"A batch holds at most {maxEvents:N0} events; send the rest in another batch.", maxEvents);
                    }

                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new EventBatchException($"[{index}]", $"[{index}] is {Describe(reader.TokenType)}; each event is a JSON object.", index);
                    }

                    var from = (int)reader.TokenStartIndex;
                    if (!reader.TrySkip())
                    {
                        break; // the element is not complete yet: read more and walk it again
                    }

                    events.Add(Deserialize(data[from..(int)reader.BytesConsumed], index));
                }

                consumed = (int)reader.BytesConsumed;
                state = reader.CurrentState;
            }
        }
        catch (JsonException e)
        {
            var index = events.Count;
            throw closed
                ? new EventBatchException("body", $"The body goes on after the array of events ends: {Reason(e)}")
                : opened
                ? new EventBatchException($"[{index}]", $"The body is not valid JSON in or after event [{index}]: {Reason(e)}", index)
                : new EventBatchException("body", $"The body is not valid JSON: {Reason(e)}");
        }

        return consumed;
    }

    private static IncomingEvent Deserialize(ReadOnlySpan<byte> element, int index)
    {
        try
        {
            return JsonSerializer.Deserialize<IncomingEvent>(element, Json)!;
        }
        catch (JsonException e)
        {
            // The path is within the element ("$.latencyMs"); the API names fields as [index].field.
            var name = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            var field = name.Length == 0 ? $"[{index}]" : $"[{index}].{name}";
            return Expected.TryGetValue(name, out var expected)
                ? throw new EventBatchException(field, $"{field} must be {expected}.", index)
                : throw new EventBatchException(field, $"{field} cannot be read: {Reason(e)}", index);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

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
