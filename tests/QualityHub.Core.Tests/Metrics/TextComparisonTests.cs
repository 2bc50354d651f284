using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

/// <summary>A module's comparison rule: what it ignores, how it reads, and text metrics reported raw and under it.</summary>
public class TextComparisonTests
{
    [Theory]
    [InlineData("4111-1111 1111/1111", TextComparison.Exact, "4111-1111 1111/1111")]
    [InlineData("4111-1111 1111/1111", TextComparison.IgnoreSpaces, "4111-11111111/1111")]
    [InlineData("4111-1111 1111/1111", TextComparison.IgnoreSeparators, "41111111 11111111")]
    [InlineData("Ab-12 c.d_e", TextComparison.IgnoreCase, "AB-12 C.D_E")]
    [InlineData("Ab-12 c.d_e", TextComparisons.All, "AB12CDE")]
    [InlineData("tab\tand\nnewline", TextComparison.IgnoreSpaces, "tabandnewline")]
    public void A_rule_drops_and_folds_only_what_it_names(string text, TextComparison rule, string expected) =>
        Assert.Equal(expected, TextComparisons.Normalize(text, rule));

    [Fact]
    public void A_rule_reads_as_what_it_ignores()
    {
        Assert.Equal("exact", TextComparisons.Describe(TextComparison.Exact));
        Assert.Equal("ignoring case", TextComparisons.Describe(TextComparison.IgnoreCase));
        Assert.Equal("ignoring case and spaces", TextComparisons.Describe(TextComparison.IgnoreCase | TextComparison.IgnoreSpaces));
        Assert.Equal("ignoring case, spaces and separators (- / . _)", TextComparisons.Describe(TextComparisons.All));
    }

    [Fact]
    public void Text_metrics_come_raw_and_under_the_rule_and_the_raw_ones_do_not_move()
    {
        RecognizedItem[] items =
        [
            new("4111 1111", "4111-1111", []),  // a separator for a space: wrong raw, right ignoring both
            new("AB12", "ab12", []),            // case only
            new("0000", "0001", []),            // really wrong
            new("7777", null, []),              // the model failed: never a match
        ];

        var exact = TextRecognitionMetrics.Compute(items);
        var ruled = TextRecognitionMetrics.Compute(items, rule: TextComparisons.All);

        Assert.Null(exact.UnderRule);
        Assert.Equal(exact.ExactMatch, ruled.ExactMatch);
        Assert.Equal(exact.CharacterErrorRate, ruled.CharacterErrorRate);
        Assert.Equal(0, ruled.ExactMatch.Value);
        var under = ruled.UnderRule!;
        Assert.Equal((TextComparisons.All, "ignoring case, spaces and separators (- / . _)"), (under.Rule, under.Description));
        Assert.Equal(0.5, under.ExactMatch.Value);
        // Distances over the normalised truth: 0 + 0 + 1 + 4 (empty for "7777") over 8 + 4 + 4 + 4 characters.
        Assert.Equal(5.0 / 20, under.CharacterErrorRate.Value, 12);
        Assert.Equal(1.25, under.MeanEditDistance, 12);
    }
}
