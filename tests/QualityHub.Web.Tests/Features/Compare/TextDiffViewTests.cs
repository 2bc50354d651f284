using Bunit;
using QualityHub.Core.Metrics;
using QualityHub.Web.Features.Compare;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>A recogniser's string against the truth: aligned rows, marked differences, each character's confidence.</summary>
public sealed class TextDiffViewTests : ComponentTests
{
    private static TextAnswer Answer(string truth, string output, params float[] confidences) =>
        new(output, output.Select(c => c.ToString()).ToList(), confidences, truth.Length > 0 ? CharacterDiff.Align(truth, output) : null, null);

    private static List<string> Row(IRenderedComponent<TextDiffView> cut, string key) =>
        cut.FindAll(".qh-textdiff-row").Single(r => r.QuerySelector(".qh-textdiff-key")!.TextContent == key)
            .QuerySelectorAll(".qh-ch").Select(c => c.TextContent).ToList();

    [Fact]
    public void A_substitution_is_marked_in_both_rows_at_the_same_place()
    {
        var cut = Render<TextDiffView>(p => p.Add(c => c.Answer, Answer("4111", "4l11", 0.99f, 0.40f, 0.98f, 0.97f)));

        Assert.Equal(["4", "1", "1", "1"], Row(cut, "truth"));
        Assert.Equal(["4", "l", "1", "1"], Row(cut, "output"));
        Assert.Equal(["1", "l"], cut.FindAll(".qh-ch-sub").Select(c => c.TextContent)); // the truth's second character, the output's
        Assert.Empty(cut.FindAll(".qh-ch-ins, .qh-ch-del"));
    }

    [Fact]
    public void A_missing_character_leaves_a_gap_in_the_output_row_and_a_deletion_mark()
    {
        var cut = Render<TextDiffView>(p => p.Add(c => c.Answer, Answer("12/26", "1226", 0.9f, 0.9f, 0.9f, 0.9f)));

        Assert.Equal(["1", "2", "/", "2", "6"], Row(cut, "truth"));
        Assert.Equal(["1", "2", "\u2002", "2", "6"], Row(cut, "output"));
        Assert.Equal(2, cut.FindAll(".qh-ch-del").Count); // the truth's "/" and the output's gap
        Assert.Null(cut.FindAll(".qh-ch-del").Last().GetAttribute("title"));
    }

    [Fact]
    public void Each_output_character_carries_its_confidence_as_title_and_shade()
    {
        var cut = Render<TextDiffView>(p => p.Add(c => c.Answer, Answer("", "AB", 0.25f, 1f)));

        var characters = cut.FindAll(".qh-ch");
        Assert.Equal(["A", "B"], characters.Select(c => c.TextContent));
        Assert.Equal("'A' confidence 25.0 %", characters[0].GetAttribute("title"));
        Assert.Equal("border-bottom: 3px solid rgba(200, 60, 0, 0.75)", characters[0].GetAttribute("style"));
        Assert.Equal("border-bottom: 3px solid rgba(200, 60, 0, 0.00)", characters[1].GetAttribute("style"));
        Assert.Single(cut.FindAll(".qh-textdiff-row")); // no truth to compare with: the output row alone
    }

    [Fact]
    public void A_space_stays_visible_as_a_non_breaking_space()
    {
        var cut = Render<TextDiffView>(p => p.Add(c => c.Answer, Answer("A B", "A B", 1f, 1f, 1f)));

        Assert.Equal(["A", "\u00a0", "B"], Row(cut, "output"));
    }
}
