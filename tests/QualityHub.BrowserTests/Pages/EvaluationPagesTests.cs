using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The Evaluations pages on a fresh install, whose first start evaluated every demo model.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EvaluationPagesTests(BrowserFixture fixture)
{
    private async Task<JsonElement> DemoRunAsync(string version)
    {
        using var http = fixture.App.CreateHttpClient();
        var runs = JsonDocument.Parse(await http.GetStringAsync("/api/evaluations")).RootElement;
        // The first start's run of the version (the lowest id): other tests evaluate on other datasets later (a ticket's regression set).
        return runs.EnumerateArray().Where(r => r.GetProperty("version").GetString() == version && r.GetProperty("status").GetString() == "completed")
            .MinBy(r => r.GetProperty("id").GetInt32()).Clone();
    }

    [Fact]
    public async Task The_runs_list_shows_the_demo_runs_with_their_headline_and_links_to_a_run()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();

        await portal.NavigateByClickAsync("Evaluations");

        var grid = page.GetByLabel("Evaluation runs");
        await Expect(grid.Locator("[data-status='completed']").First).ToBeVisibleAsync();
        Assert.True(await grid.Locator("[data-status='completed']").CountAsync() >= 4);
        await Expect(grid).ToContainTextAsync("fashion-cnn-v1");
        await Expect(grid).ToContainTextAsync("exact match");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "evaluations.png") });
    }

    [Fact]
    public async Task A_run_started_on_the_page_shows_its_progress_and_finishes_with_its_accuracy()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("evaluations");
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);
        var grid = page.GetByLabel("Evaluation runs");
        var before = await grid.Locator("[data-status]").CountAsync();

        var form = page.Locator(".qh-new-run");
        await PortalPage.ChooseAsync(form, "version", "fashion-mnist-classifier/fashion-mlp-v1");
        // The dataset follows the module: its test set is picked.
        await Expect(form.Locator("input[name=dataset]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^fashion-mnist-test-2000 "));
        await form.GetByRole(AriaRole.Button, new() { Name = "Evaluate" }).ClickAsync();

        await Expect(grid.Locator("[data-status]")).ToHaveCountAsync(before + 1);
        var newest = grid.Locator("tbody tr").First;
        await Expect(newest.Locator("[data-status='completed']")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Expect(newest).ToContainTextAsync("fashion-mlp-v1");
        await Expect(newest).ToContainTextAsync("89.50 %"); // 1,790 of 2,000, as torch
    }

    [Fact]
    public async Task Two_runs_picked_on_the_list_open_side_by_side_with_the_significance_verdict()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("evaluations");
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);
        var linear = await DemoRunAsync("fashion-linear-v1");
        var cnn = await DemoRunAsync("fashion-cnn-v1");

        await page.GetByLabel($"Select run {linear.GetProperty("id").GetInt32()}", new() { Exact = true }).ClickAsync();
        await page.GetByLabel($"Select run {cnn.GetProperty("id").GetInt32()}", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected (2)" }).ClickAsync();

        await Expect(PortalHeading(page)).ToHaveTextAsync("Compare runs");
        var row = page.Locator($"tr[data-run='{cnn.GetProperty("id").GetInt32()}']");
        await Expect(row.Locator(".qh-verdict")).ToHaveTextAsync("real improvement in accuracy");
        await Expect(row).ToContainTextAsync("McNemar");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "evaluation-compare.png") });
    }

    private static ILocator PortalHeading(IPage page) => new PortalPage(page).Heading;
}
