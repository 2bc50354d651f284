using QualityHub.Core.Domain;

namespace QualityHub.Core.Tests;

public class TicketWorkflowTests
{
    [Fact]
    public void The_happy_path_is_new_triaged_reproduced_fixed_closed()
    {
        var path = new[] { TicketStatus.New, TicketStatus.Triaged, TicketStatus.Reproduced, TicketStatus.Fixed, TicketStatus.Closed };
        for (var i = 0; i + 1 < path.Length; i++)
        {
            Assert.True(TicketWorkflow.CanMove(path[i], path[i + 1]), $"{path[i]} → {path[i + 1]}");
        }
    }

    [Fact]
    public void Only_the_listed_moves_are_legal()
    {
        var legal = new HashSet<(TicketStatus, TicketStatus)>
        {
            (TicketStatus.New, TicketStatus.Triaged), (TicketStatus.New, TicketStatus.WontFix),
            (TicketStatus.Triaged, TicketStatus.Reproduced), (TicketStatus.Triaged, TicketStatus.WontFix),
            (TicketStatus.Reproduced, TicketStatus.Fixed), (TicketStatus.Reproduced, TicketStatus.WontFix),
            (TicketStatus.Fixed, TicketStatus.Closed), (TicketStatus.Fixed, TicketStatus.Reproduced),
            (TicketStatus.WontFix, TicketStatus.Triaged),
        };
        foreach (var from in Enum.GetValues<TicketStatus>())
        {
            foreach (var to in Enum.GetValues<TicketStatus>())
            {
                Assert.True(legal.Contains((from, to)) == TicketWorkflow.CanMove(from, to), $"{from} → {to}");
            }
        }

        Assert.Empty(TicketWorkflow.AllowedFrom(TicketStatus.Closed));
        Assert.Equal(Enum.GetValues<TicketStatus>().Order(), TicketWorkflow.Board.Order());
    }

    [Theory]
    [InlineData("won't fix", TicketStatus.WontFix)]
    [InlineData("WONT_FIX", TicketStatus.WontFix)]
    [InlineData("WontFix", TicketStatus.WontFix)]
    [InlineData(" triaged ", TicketStatus.Triaged)]
    [InlineData("Reproduced", TicketStatus.Reproduced)]
    public void Statuses_are_read_whatever_their_spacing_case_and_apostrophes(string text, TicketStatus expected) =>
        Assert.Equal(expected, TicketWorkflow.ParseStatus(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("open")]
    [InlineData("fixed!!1")]
    [InlineData("new new")]
    public void Anything_else_is_not_a_status(string? text) => Assert.Null(TicketWorkflow.ParseStatus(text));

    [Theory]
    [InlineData("low", TicketSeverity.Low)]
    [InlineData("BLOCKER", TicketSeverity.Blocker)]
    public void Severities_are_read_by_name(string text, TicketSeverity expected) => Assert.Equal(expected, TicketWorkflow.ParseSeverity(text));

    [Theory]
    [InlineData("4")]
    [InlineData("urgent")]
    public void Severities_by_number_or_unknown_name_are_refused(string text) => Assert.Null(TicketWorkflow.ParseSeverity(text));
}
