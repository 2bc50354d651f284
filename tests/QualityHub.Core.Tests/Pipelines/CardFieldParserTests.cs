using QualityHub.Core.Pipelines;

namespace QualityHub.Core.Tests.Pipelines;

public sealed class CardFieldParserTests
{
    [Theory]
    [InlineData("4539148803436467", true)]
    [InlineData("4539148803436468", false)]
    [InlineData("371449635398431", true)] // 15 digits (Amex-like)
    [InlineData("79927398713", true)] // the check's textbook example
    [InlineData("79927398710", false)]
    [InlineData("", false)]
    [InlineData("4539 1488", false)]
    public void The_Luhn_check_doubles_every_second_digit_from_the_right(string digits, bool valid)
    {
        Assert.Equal(valid, CardFieldParser.Luhn(digits));
    }

    [Fact]
    public void A_number_in_groups_on_one_line_is_read_as_its_digits_and_the_latest_date_is_the_expiry()
    {
        var fields = CardFieldParser.Parse(["NORTHWIND BANK", "4539 1488 0343 6467", "VALID FROM 03/24  VALID THRU 07/29", "J SMITH"]);

        Assert.Equal(new CardFields("4539148803436467", true, "07/29", "4539 1488 0343 6467", "07/29"), fields);
    }

    [Fact]
    public void A_number_that_passes_the_check_wins_over_a_longer_one_that_does_not()
    {
        var fields = CardFieldParser.Parse(["4539 1488 0343 6468 12", "3714 496353 98431"]);

        Assert.Equal("371449635398431", fields.Number);
        Assert.True(fields.NumberPassesLuhn);
    }

    [Fact]
    public void Misread_fields_stay_empty_or_say_they_fail_the_check()
    {
        var misread = CardFieldParser.Parse(["4539 1488 0343 6468", "13/29", "EXP 7/29"]);
        var nothing = CardFieldParser.Parse([]);
        var tooShort = CardFieldParser.Parse(["4539 1488 0343", "1/1"]);

        Assert.Equal(new CardFields("4539148803436468", false, "", "4539 1488 0343 6468", ""), misread); // month 13 and a one-digit month are no dates
        Assert.Equal(new CardFields("", false, "", "", ""), nothing);
        Assert.Equal(new CardFields("", false, "", "", ""), tooShort);
    }

    [Theory]
    [InlineData("5289728391676092 11/31", "5289728391676092", "5289728391676092", "11/31")] // the expiry read onto the number's line
    [InlineData("265725320711455111/27", "2657253207114551", "2657253207114551", "11/27")] // its month read into the last group
    [InlineData("4937 492693800210 03/29", "4937492693800210", "4937 492693800210", "03/29")]
    [InlineData("4937 4926 9380 021003 /29", "4937492693800210", "4937 4926 9380 0210", "03 /29")] // the cut keeps the groups as read
    public void A_number_with_the_expiry_read_onto_its_line_is_still_found(string line, string number, string numberRead, string expiry)
    {
        var fields = CardFieldParser.Parse([line]);

        Assert.Equal(new CardFields(number, true, expiry.Replace(" ", "", StringComparison.Ordinal), numberRead, expiry), fields);
    }
}
