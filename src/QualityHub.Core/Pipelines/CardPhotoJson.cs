using System.Text.Json;
using QualityHub.Core.Metrics;

namespace QualityHub.Core.Pipelines;

/// <summary>
/// A card photo's ground truth as a dataset stores it (the JSON Lines format of data/demo/card-photos less the image
/// and tags): <c>{"number": "4111 1111 1111 1111", "expiry": "01/28", "lines": [{"role": "number", "text": "…",
/// "points": [[x, y], [x, y], [x, y], [x, y]]}, …]}</c>. Number and expiry are empty for a photo without them; a
/// line's role is number, expiry or anything else (name, bank, other text the detector should find too).
/// </summary>
public static class CardPhotoJson
{
    /// <summary>The most text lines a photo's truth may list.</summary>
    public const int MaxLines = 200;

    /// <summary>The truth in <paramref name="root"/> and its stored form, or what is wrong with it (never quoting it).</summary>
    public static (CardTruth? Truth, string? Json, string? Problem) Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, null, "not a JSON object");
        }

        var number = Text(root, "number");
        var expiry = Text(root, "expiry");
        if (number is null || expiry is null)
        {
            return (null, null, "\"number\" and \"expiry\" (strings, empty when the photo has none) are required");
        }

        if (!root.TryGetProperty("lines", out var lines) || lines.ValueKind != JsonValueKind.Array)
        {
            return (null, null, "\"lines\" (the text lines with their role, text and four corner points) is required");
        }

        if (lines.GetArrayLength() > MaxLines)
        {
            return (null, null, $"{lines.GetArrayLength()} lines; at most {MaxLines}");
        }

        var read = new List<TrueLine>();
        var index = 0;
        foreach (var line in lines.EnumerateArray())
        {
            index++;
            var role = line.ValueKind == JsonValueKind.Object ? Text(line, "role") : null;
            var text = line.ValueKind == JsonValueKind.Object ? Text(line, "text") : null;
            var quad = line.ValueKind == JsonValueKind.Object && line.TryGetProperty("points", out var points) ? Points(points) : null;
            if (role is null || text is null || quad is null)
            {
                return (null, null, $"line {index}: \"role\", \"text\" and \"points\" (four [x, y] pairs of finite numbers) are required");
            }

            read.Add(new TrueLine(role, text, quad));
        }

        foreach (var (field, value) in new[] { ("number", number), ("expiry", expiry) })
        {
            if (value.Length > 0 && !read.Any(l => l.Role == field))
            {
                return (null, null, $"the {field} is given but no line has the role \"{field}\"");
            }
        }

        var truth = new CardTruth(number, expiry, read);
        return (truth, ToJson(truth), null);
    }

    /// <summary>The stored truth read back (it was checked when stored).</summary>
    public static CardTruth Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (truth, _, problem) = Read(document.RootElement);
        return truth ?? throw new FormatException($"Not a card photo's ground truth: {problem}.");
    }

    public static string ToJson(CardTruth truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        return JsonSerializer.Serialize(new
        {
            number = truth.Number,
            expiry = truth.Expiry,
            lines = truth.Lines.Select(l => new { role = l.Role, text = l.Text, points = l.Quad.Points.Select(p => new[] { p.X, p.Y }) }),
        });
    }

    /// <summary>
    /// The truth as a pipeline's output is shown (<see cref="CardReadOutput.Summary"/>): the number's digits and the
    /// expiry, or a dash for a photo without them; the two are equal exactly when both fields were read right.
    /// </summary>
    public static string Describe(CardTruth truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        return Summary(CardFieldMetrics.Digits(truth.Number), truth.Expiry);
    }

    /// <summary>A number and an expiry as one line: "4111111111111111 · 01/28", either alone, or a dash for neither.</summary>
    public static string Summary(string number, string expiry) =>
        (number.Length, expiry.Length) switch
        {
            (0, 0) => "—",
            (_, 0) => number,
            (0, _) => expiry,
            _ => $"{number} · {expiry}",
        };

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length <= 1000 ? value.GetString() : null;

    private static Quad? Points(JsonElement points)
    {
        if (points.ValueKind != JsonValueKind.Array || points.GetArrayLength() != 4)
        {
            return null;
        }

        var corners = new List<Vertex>(4);
        foreach (var point in points.EnumerateArray())
        {
            if (point.ValueKind != JsonValueKind.Array || point.GetArrayLength() != 2
                || point[0].ValueKind != JsonValueKind.Number || point[1].ValueKind != JsonValueKind.Number)
            {
                return null;
            }

            var (x, y) = (point[0].GetDouble(), point[1].GetDouble());
            if (!double.IsFinite(x) || !double.IsFinite(y) || Math.Abs(x) > 1e6 || Math.Abs(y) > 1e6)
            {
                return null;
            }

            corners.Add(new Vertex((float)x, (float)y));
        }

        return new Quad(corners);
    }
}
