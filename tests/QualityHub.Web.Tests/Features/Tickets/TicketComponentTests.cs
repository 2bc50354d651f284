using QualityHub.Core.Domain;
using QualityHub.Web.Features.Tickets;

using QualityHub.Web.Tests.Components;

namespace QualityHub.Web.Tests.Features.Tickets;

public class TicketComponentTests
{
    [Fact]
    public async Task Duplicates_show_markup_in_titles_as_text_with_their_reason_and_status()
    {
        var html = await ComponentRenderer.RenderAsync<TicketDuplicates>(new Dictionary<string, object?>
        {
            ["Items"] = new List<TicketDuplicate> { new(7, "<img src=x onerror=alert(1)>", TicketStatus.WontFix, "same input image") },
        });

        Assert.Contains("#7 &lt;img src=x onerror=alert(1)&gt;", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("href=\"tickets/7\"", html);
        Assert.Contains(">won&#x27;t fix</span>", html);
        Assert.Contains("same input image", html);
    }

    [Fact]
    public async Task No_duplicates_says_what_was_looked_for()
    {
        var html = await ComponentRenderer.RenderAsync<TicketDuplicates>(new Dictionary<string, object?> { ["Items"] = new List<TicketDuplicate>() });

        Assert.Contains("data-duplicates=\"0\"", html);
        Assert.Contains("no other ticket has this input image", html);
    }

    [Theory]
    [InlineData(TicketSeverity.Blocker, "qh-severity-blocker", "blocker")]
    [InlineData(TicketSeverity.Low, "qh-severity-low", "low")]
    public async Task A_severity_badge_names_and_colours_its_level(TicketSeverity severity, string css, string text)
    {
        var html = await ComponentRenderer.RenderAsync<SeverityBadge>(new Dictionary<string, object?> { ["Severity"] = severity });

        Assert.Contains($"class=\"qh-severity {css}\"", html);
        Assert.Contains($">{text}</span>", html);
    }
}
