using System.Globalization;
using CsvHelper;

namespace QualityHub.Web.Api;

/// <summary>The one way the app writes CSV: CsvHelper's RFC 4180 quoting, invariant numbers, and formula-looking text defused.</summary>
/// <remarks>
/// People open these files in spreadsheets, which run a cell that starts with =, +, -, @, TAB or CR as a formula
/// (CSV injection). Every text cell that starts so is written as <c>"'…"</c>, which a spreadsheet shows as text.
/// Numbers, dates and booleans written as values are not text and are never defused, so a negative number in a
/// number column stays a number; the same "-5" written as text (a label, say) is defused like any other text.
/// </remarks>
public static class SpreadsheetSafeCsv
{
    /// <summary>Measured values: up to six decimals, never an exponent.</summary>
    public const string Decimal = "0.######";

    /// <summary>Lines end with '\n', as our exports always have.</summary>
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        InjectionCharacters = "=+-@\t\r",
        InjectionEscape = '\'',
        NewLine = "\n",
        FormatProvider = CultureInfo.InvariantCulture,
        TrueValue = "true",
        FalseValue = "false",
    };

    /// <summary>A writer of UTF-8 (no byte order mark) to <paramref name="destination"/>, which it leaves open.</summary>
    public static CsvWriter Create(Stream destination) => CsvWriter.Create(destination, Options, leaveOpen: true);

    /// <summary>A whole small file in memory, written by <paramref name="write"/>.</summary>
    public static byte[] ToBytes(Action<CsvWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var csv = Create(buffer))
        {
            write(csv);
        }

        return buffer.ToArray();
    }
}
