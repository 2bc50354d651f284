using QualityHub.Web.Components.Layout;
using QualityHub.Web.Features.Overview;

namespace QualityHub.Web.Tests.Components;

public class LayoutComponentTests
{
    [Fact]
    public async Task Summary_tiles_show_each_count_with_its_label()
    {
        var summary = new RegistrySummary(Modules: 2, ModelVersions: 4, Datasets: 2, Samples: 12_345, EvaluationRuns: 8, Releases: 1, Tickets: 5, OpenTickets: 3);

        var html = await ComponentRenderer.RenderAsync<SummaryTiles>(new Dictionary<string, object?> { ["Summary"] = summary });

        Assert.Contains("<div class=\"qh-tile-value\" data-count=\"Model versions\">4</div>", html);
        Assert.Contains("<div class=\"qh-tile-value\" data-count=\"Samples\">12,345</div>", html);
        Assert.Contains("<div class=\"qh-tile-value\" data-count=\"Open tickets\">3</div>", html);
        Assert.DoesNotContain(">5</div>", html); // all tickets is not a tile: open ones are what needs attention
    }

    [Fact]
    public async Task The_navigation_links_every_area()
    {
        var html = await ComponentRenderer.RenderAsync<NavMenu>(new Dictionary<string, object?>());

        foreach (var area in AppArea.All)
        {
            Assert.Contains($"href=\"{area.Path}\"", html);
            Assert.Contains($">{area.Title}</span>", html);
        }
    }
}
