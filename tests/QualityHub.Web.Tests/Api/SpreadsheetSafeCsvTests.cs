using System.Globalization;
using System.Text;
using CsvHelper;
using QualityHub.Web.Api;

namespace QualityHub.Web.Tests.Api;

/// <summary>The one CSV writer of the exports: formula-looking text defused, numbers kept as numbers, RFC 4180 quoting.</summary>
public sealed class SpreadsheetSafeCsvTests
{
    private static string Write(Action<CsvWriter> write) => Encoding.UTF8.GetString(SpreadsheetSafeCsv.ToBytes(write));

    private static string[] ReadBack(string csv)
    {
        using var reader = CsvReader.FromText(csv, CsvReaderOptions.Default with { Separator = ',', HasHeader = false });
        Assert.True(reader.Read());
        return reader.Current.ToArray();
    }

    [Theory]
    [InlineData("=1+1")]
    [InlineData("+41 22 000")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1:A2)")]
    [InlineData("\t=cmd|' /C calc'!A0")]
    [InlineData("\r=1+1")]
    public void A_text_cell_that_starts_like_a_formula_gets_a_leading_quote(string text)
    {
        var csv = Write(w => w.WriteRecord([text, "plain"]));

        Assert.Equal(["'" + text, "plain"], ReadBack(csv));
    }

    [Theory]
    [InlineData("a=b")]
    [InlineData("x-1")]
    [InlineData("1+1")]
    [InlineData(" =not first")]
    public void Text_that_only_holds_a_formula_character_later_is_written_as_it_is(string text)
    {
        Assert.Equal(text, ReadBack(Write(w => w.WriteRecord([text])))[0]);
    }

    [Fact]
    public void A_negative_number_in_a_number_column_stays_a_number_while_the_same_text_is_defused()
    {
        var csv = Write(w =>
        {
            w.WriteField(-5.25, SpreadsheetSafeCsv.Decimal);
            w.WriteField(-3);
            w.WriteField((double?)-0.5, SpreadsheetSafeCsv.Decimal);
            w.WriteField("-5");
            w.EndRecord();
        });

        Assert.Equal("-5.25,-3,-0.5,\"'-5\"\n", csv);
    }

    [Fact]
    public void Commas_quotes_and_line_breaks_are_quoted_and_read_back_whole()
    {
        string[] cells = ["a, b", "say \"hi\"", "two\nlines", "cr\r\nlf", ""];

        var csv = Write(w => w.WriteRecord(cells));

        Assert.StartsWith("\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",", csv, StringComparison.Ordinal);
        Assert.Equal(cells, ReadBack(csv));
    }

    [Fact]
    public void Numbers_and_booleans_are_written_invariantly_whatever_the_culture_and_records_end_with_a_line_feed()
    {
        var culture = CultureInfo.CurrentCulture;
        // A decimal comma, as in German (the test host runs in globalization-invariant mode, so no named cultures).
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        CultureInfo.CurrentCulture = comma;
        try
        {
            var csv = Write(w =>
            {
                w.WriteHeader(["value", "count", "correct", "none"]);
                w.WriteField(1234.5678901, SpreadsheetSafeCsv.Decimal);
                w.WriteField(12345);
                w.WriteField(true);
                w.WriteField((double?)null, SpreadsheetSafeCsv.Decimal);
                w.EndRecord();
            });

            Assert.Equal("value,count,correct,none\n1234.56789,12345,true,\n", csv);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
