using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QualityHub.Web.Features.Models;

/// <summary>One line of a model card as people read it: "Input · width" → "28".</summary>
public sealed record ModelCardRow(string Field, string Value);

/// <summary>
/// A model card's JSON as rows for a table: nested objects flattened into "Parent · child", camelCase keys spelled
/// as words, lists joined (long ones counted), so a planner can read a card without reading JSON.
/// </summary>
public static class ModelCardRows
{
    private const int MaxListItems = 40;

    /// <summary>The rows of <paramref name="json"/>; one row saying why when it is not a JSON object.</summary>
    public static IReadOnlyList<ModelCardRow> From(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [new ModelCardRow("Card", "not a JSON object")];
            }

            var rows = new List<ModelCardRow>();
            Add(rows, prefix: null, document.RootElement);
            return rows;
        }
        catch (JsonException e)
        {
            return [new ModelCardRow("Card", $"not valid JSON: {e.Message}")];
        }
    }

    private static void Add(List<ModelCardRow> rows, string? prefix, JsonElement element)
    {
        foreach (var property in element.EnumerateObject())
        {
            var field = prefix is null ? Words(property.Name) : $"{prefix} · {Words(property.Name).ToLowerInvariant()}";
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                Add(rows, field, property.Value);
            }
            else
            {
                rows.Add(new ModelCardRow(field, Value(property.Value)));
            }
        }
    }

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.TryGetDouble(out var number) ? number.ToString("0.#########", CultureInfo.InvariantCulture) : value.GetRawText(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Null => "—",
        JsonValueKind.Array => List(value),
        _ => value.GetRawText(),
    };

    private static string List(JsonElement array)
    {
        var items = array.EnumerateArray().Select(Value).ToList();
        if (items.Count == 0)
        {
            return "none";
        }

        var shown = string.Join(", ", items.Take(MaxListItems));
        return items.Count > MaxListItems ? $"{shown} … ({items.Count:N0} in all)" : items.Count > 5 ? $"{shown} ({items.Count})" : shown;
    }

    // "outputKind" → "Output kind", "topK" → "Top k".
    private static string Words(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (i == 0)
            {
                text.Append(char.ToUpperInvariant(c));
            }
            else if (char.IsUpper(c))
            {
                text.Append(' ').Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
