using System.Text;
using System.Text.Json;
using CsvHelper;
using QualityHub.Data;

namespace QualityHub.Web.Features.Labeling;

/// <summary>One row of a vendor's delivery as read: its row number (1 = the first row after a CSV's header, or a JSONL file's first line), the item or sample it names, its label.</summary>
public sealed record DeliveryLine(int Row, string? ItemId, string? SampleId, string? Label);

/// <summary>
/// Reads a vendor's delivery: CSV with a header naming item_id and/or sample_id, and label; or JSONL, one object per
/// line with the same keys. Text must be UTF-8 (a byte order mark is allowed). What cannot be read is reported by row;
/// nothing is guessed.
/// </summary>
public static class DeliveryFile
{
    public const long MaxBytes = 50L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The rows of a delivery, or the problems that stop it being read at all (encoding, header, broken quoting).</summary>
    public static (IReadOnlyList<DeliveryLine> Lines, IReadOnlyList<Core.Labeling.DeliveryProblem> Problems) Read(byte[] bytes, string fileName)
    {
        string text;
        try
        {
            var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
            text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            return ([], [new(0, null, "file", $"The file is not UTF-8 text (byte {e.Index} cannot be read as UTF-8); save it as UTF-8 and send it again.")]);
        }

        var jsonl = fileName.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
            || (!fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && text.TrimStart().StartsWith('{'));
        return jsonl ? ReadJsonLines(text) : ReadCsv(text);
    }

    private static (IReadOnlyList<DeliveryLine>, IReadOnlyList<Core.Labeling.DeliveryProblem>) ReadCsv(string text)
    {
        List<(long Line, string[] Cells)> records;
        try
        {
            records = CsvRecords.Read(text);
        }
        catch (CsvFormatException e)
        {
            return ([], [new(0, null, "file", $"The CSV cannot be read: {e.Message}")]);
        }

        if (records.Count == 0)
        {
            return ([], [new(0, null, "file", "The file is empty.")]);
        }

        var header = records[0].Cells.Select(c => c.Trim().ToLowerInvariant()).ToList();
        int item = header.IndexOf("item_id"), sample = header.IndexOf("sample_id"), label = header.IndexOf("label");
        if (label < 0 || (item < 0 && sample < 0))
        {
            return ([], [new(0, null, "header", $"The first row must name the columns item_id and/or sample_id, and label; it has {string.Join(", ", records[0].Cells)}.")]);
        }

        string? Cell(string[] cells, int index) => index >= 0 && index < cells.Length && cells[index].Length > 0 ? cells[index] : null;
        return (records.Skip(1).Select((r, i) => new DeliveryLine(i + 1, Cell(r.Cells, item), Cell(r.Cells, sample), Cell(r.Cells, label))).ToList(), []);
    }

    private static (IReadOnlyList<DeliveryLine>, IReadOnlyList<Core.Labeling.DeliveryProblem>) ReadJsonLines(string text)
    {
        var lines = new List<DeliveryLine>();
        var problems = new List<Core.Labeling.DeliveryProblem>();
        var row = 0;
        foreach (var line in text.Split('\n'))
        {
            row++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(new(row, null, "line", "Each line must be one JSON object."));
                    continue;
                }

                lines.Add(new DeliveryLine(row, Value(json.RootElement, "item_id"), Value(json.RootElement, "sample_id"), Value(json.RootElement, "label")));
            }
            catch (JsonException e)
            {
                problems.Add(new(row, null, "line", $"Not JSON: {e.Message}"));
            }
        }

        return (lines, problems);
    }

    private static string? Value(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s.Trim() : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
