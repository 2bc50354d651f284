using Bunit;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Tickets;

namespace QualityHub.Web.Tests.Features.Tickets;

/// <summary>The small pieces of the ticket pages: duplicates, severity badges and status chips.</summary>
public sealed class TicketComponentTests : ComponentTests
{
    [Fact]
    public void Duplicates_show_markup_in_titles_as_text_with_their_link_reason_and_status()
    {
        var cut = Render<TicketDuplicates>(p => p.Add(c => c.Items, [new TicketDuplicate(7, "<img src=x onerror=alert(1)>", TicketStatus.WontFix, "same input image")]));

        var link = cut.Find("a[data-duplicate='7']");
        Assert.Equal("tickets/7", link.GetAttribute("href"));
        Assert.Equal("#7 <img src=x onerror=alert(1)>", link.TextContent);
        Assert.Empty(cut.FindAll("img"));
        Assert.Equal("won't fix", cut.Find(".qh-ticket-status").TextContent);
        Assert.Equal("same input image", cut.Find("li small").TextContent);
        Assert.Equal("1", cut.Find("ul.qh-duplicates").GetAttribute("data-duplicates"));
    }

    [Fact]
    public void No_duplicates_says_what_was_looked_for()
    {
        var cut = Render<TicketDuplicates>(p => p.Add(c => c.Items, []));

        Assert.Equal("0", cut.Find("p").GetAttribute("data-duplicates"));
        Assert.Contains("no other ticket has this input image", cut.Markup);
        Assert.Empty(cut.FindAll("ul"));
    }

    [Fact]
    public void Duplicates_follow_a_new_list()
    {
        var cut = Render<TicketDuplicates>(p => p.Add(c => c.Items, []));

        cut.Render(p => p.Add(c => c.Items, [new TicketDuplicate(3, "blurry", TicketStatus.New, "same module, expected and actual output"), new TicketDuplicate(4, "dark", TicketStatus.Triaged, "same input image")]));

        Assert.Equal(["3", "4"], cut.FindAll("a[data-duplicate]").Select(a => a.GetAttribute("data-duplicate")));
        Assert.Empty(cut.FindAll("p[data-duplicates]"));
    }

    [Theory]
    [InlineData(TicketSeverity.Blocker, "qh-severity-blocker", "blocker")]
    [InlineData(TicketSeverity.Low, "qh-severity-low", "low")]
    public void A_severity_badge_names_and_colours_its_level(TicketSeverity severity, string css, string text)
    {
        var cut = Render<SeverityBadge>(p => p.Add(c => c.Severity, severity));

        var badge = cut.Find("span.qh-severity");
        Assert.True(badge.ClassList.Contains(css), badge.ClassName);
        Assert.Equal(text, badge.TextContent);
        Assert.Equal(severity.ToString(), badge.GetAttribute("data-severity"));
    }

    [Theory]
    [InlineData(TicketStatus.New, "new")]
    [InlineData(TicketStatus.Reproduced, "reproduced")]
    [InlineData(TicketStatus.WontFix, "won't fix")]
    public void A_status_chip_uses_the_word_people_use(TicketStatus status, string label)
    {
        var cut = Render<TicketStatusChip>(p => p.Add(c => c.Status, status));

        var chip = cut.Find("span.qh-ticket-status");
        Assert.Equal(label, chip.TextContent);
        Assert.True(chip.ClassList.Contains($"qh-ticket-status-{status.ToString().ToLowerInvariant()}"), chip.ClassName);
    }
}
