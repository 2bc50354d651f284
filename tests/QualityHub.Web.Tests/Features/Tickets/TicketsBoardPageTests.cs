using Bunit;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Tickets;

namespace QualityHub.Web.Tests.Features.Tickets;

/// <summary>The ticket board over the evaluated demo: a ticket filed or moved elsewhere shows up without a reload.</summary>
public sealed class TicketsBoardPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private TicketService Tickets => Factory.Services.GetRequiredService<TicketService>();

    private static int Count(IRenderedComponent<TicketsBoardPage> board, string column) =>
        int.Parse(board.Find($"[data-column='{column}'] [data-column-count]").TextContent.Trim());

    [Fact]
    public async Task A_ticket_filed_and_then_triaged_elsewhere_moves_across_the_open_board()
    {
        SignInAs(QualityHubRoles.Viewer);
        var board = Render<TicketsBoardPage>();
        board.WaitForAssertion(() => Assert.Equal("true", board.Find(".qh-board").GetAttribute("data-live")), Slow);
        var (newBefore, triagedBefore) = (Count(board, "New"), Count(board, "Triaged"));

        var ticket = await Tickets.CreateAsync(new TicketDraft { Title = "Filed while the board was open", Severity = "high" }, "qm@test");

        board.WaitForAssertion(() => Assert.Single(board.FindAll($"[data-column='New'] [data-ticket='{ticket.Id}']")), Slow);
        Assert.Equal(newBefore + 1, Count(board, "New"));
        Assert.Contains("#" + ticket.Id + " Filed while the board was open", board.Find($"[data-ticket='{ticket.Id}']").TextContent);

        await Tickets.MoveAsync(ticket.Id, new TicketMove("Triaged"), "qm@test");

        board.WaitForAssertion(() => Assert.Single(board.FindAll($"[data-column='Triaged'] [data-ticket='{ticket.Id}']")), Slow);
        Assert.Equal(newBefore, Count(board, "New"));
        Assert.Equal(triagedBefore + 1, Count(board, "Triaged"));
    }
}
