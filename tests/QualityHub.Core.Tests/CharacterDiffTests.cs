using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests;

public class CharacterDiffTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("abc", "")]
    [InlineData("", "abc")]
    [InlineData("kitten", "sitting")]
    [InlineData("4111 1111 1111 1111", "4111 111 1111 11l1")]
    [InlineData("12/27", "12/21")]
    [InlineData("intention", "execution")]
    public void Alignment_rebuilds_both_strings_and_costs_the_edit_distance(string expected, string actual)
    {
        var steps = CharacterDiff.Align(expected, actual);

        Assert.Equal(expected, string.Concat(steps.Where(s => s.Expected is not null).Select(s => s.Expected)));
        Assert.Equal(actual, string.Concat(steps.Where(s => s.Actual is not null).Select(s => s.Actual)));
        Assert.Equal(EditDistance.Levenshtein(expected, actual), steps.Count(s => s.Kind != DiffKind.Equal));
    }

    [Fact]
    public void A_wrong_digit_is_one_substitution_at_its_place()
    {
        var steps = CharacterDiff.Align("12/27", "12/21");

        Assert.Equal([DiffKind.Equal, DiffKind.Equal, DiffKind.Equal, DiffKind.Equal, DiffKind.Substituted], steps.Select(s => s.Kind));
        Assert.Equal(new DiffStep(DiffKind.Substituted, '7', '1', 4), steps[^1]);
    }

    [Fact]
    public void A_missing_and_an_extra_character_are_a_deletion_and_an_insertion()
    {
        var missing = CharacterDiff.Align("12/27", "1/27");
        var extra = CharacterDiff.Align("12/27", "12//27");

        Assert.Equal(new DiffStep(DiffKind.Deleted, '2', null, null), Assert.Single(missing, s => s.Kind != DiffKind.Equal));
        Assert.Equal(DiffKind.Inserted, Assert.Single(extra, s => s.Kind != DiffKind.Equal).Kind);
    }

    [Fact]
    public void Actual_indices_point_at_the_output_characters_for_their_confidences()
    {
        var steps = CharacterDiff.Align("ab", "xaby");

        Assert.Equal([0, 1, 2, 3], steps.Where(s => s.ActualIndex is not null).Select(s => s.ActualIndex!.Value));
    }
}
