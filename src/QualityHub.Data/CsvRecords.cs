using CsvHelper;

namespace QualityHub.Data;

/// <summary>
/// CSV that people write, read the same way wherever QualityHub takes it in (a dataset's labels file, a labeling
/// vendor's delivery): RFC 4180 as CsvHelper reads it — a byte order mark, quoted commas, quotes and line breaks; blank
/// lines skipped, cells trimmed inside and outside quotes; broken quoting is an error, not a guess.
/// </summary>
public static class CsvRecords
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = false,
        SkipEmptyLines = true,
        TrimWhitespace = true,
        TrimInsideQuotes = true,
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Throw,
    };

    /// <summary>Every record of <paramref name="text"/> (a header is the first) with the line it starts on.</summary>
    /// <exception cref="CsvFormatException">The quoting is broken; the exception names the line.</exception>
    public static List<(long Line, string[] Cells)> Read(string text)
    {
        var records = new List<(long Line, string[] Cells)>();
        using var reader = CsvReader.FromText(text, Options);
        while (reader.Read())
        {
            records.Add((reader.LineNumber, reader.Current.ToArray()));
        }

        return records;
    }
}
