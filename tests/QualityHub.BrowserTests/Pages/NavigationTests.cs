using Microsoft.Data.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

[Collection(BrowserCollection.Name)]
public sealed class NavigationTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_user_moves_between_every_area_by_clicking_the_navigation()
    {
        var page = await fixture.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        var portal = new PortalPage(page);

        await portal.OpenOverviewAsync();
        await Expect(portal.Heading).ToHaveTextAsync("Overview");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overview.png"), FullPage = true });

        foreach (var area in new[] { "Compare", "Evaluations", "Gallery", "Releases", "Online", "Tickets", "Requirements", "Datasets", "Models" })
        {
            await portal.NavigateByClickAsync(area);
        }

        await portal.NavigateByClickAsync("Overview");
        await Expect(portal.Chart).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_overview_chart_follows_the_registry_in_place()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        var modulesBefore = int.Parse(await portal.Tile("Modules").InnerTextAsync());
        // Mark the chart's element: an in-place update (Plotly.react) keeps it, a re-creation would not.
        await page.EvalOnSelectorAsync(".qh-plot", "e => e.dataset.marker = 'first-draw'");

        await AddModuleAsync(fixture.App.DatabasePath, $"live-update-{Guid.NewGuid():N}");

        // The Overview refreshes every 10 s.
        await Expect(portal.Tile("Modules")).ToHaveTextAsync((modulesBefore + 1).ToString(), new() { Timeout = 20_000 });
        var modulesBar = page.Locator(".qh-plot .bars .point text").First;
        await Expect(modulesBar).ToHaveTextAsync((modulesBefore + 1).ToString());
        Assert.Equal("first-draw", await page.EvalOnSelectorAsync<string>(".qh-plot", "e => e.dataset.marker"));
    }

    private static async Task AddModuleAsync(string databasePath, string name)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO Modules (Name, TaskType, InputDescription, OutputDescription, Description, CreatedAt)
            VALUES ($name, 'ImageClassification', 'image', 'class', '', $now);
            """;
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.UtcTicks);
        await insert.ExecuteNonQueryAsync();
    }
}
