using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The thumbnail grid of a 10,000-sample dataset: every sample reachable, only the visible ones in the page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SampleGridTests(BrowserFixture fixture)
{
    // 36rem of grid shows about four rows of eight; with the overscan a few hundred elements at most, whatever the size.
    private const int MaxThumbnailsInPage = 200;

    [Fact]
    public async Task Scrolled_to_the_end_the_last_thumbnails_render_while_the_page_holds_only_a_window_of_them()
    {
        var id = await TestData.UploadFashionTestSetAsync(fixture.App.BaseUrl, $"fashion-grid-{Guid.NewGuid():N}"[..20]);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/datasets/{id}");
        var grid = page.GetByRole(AriaRole.List, new() { Name = "Samples" });
        await Expect(grid.Locator("img").First).ToBeVisibleAsync();
        await grid.ScrollIntoViewIfNeededAsync();

        await ScrollToAsync(page, 0.5, "Sample 5000:");
        await ScrollToAsync(page, 1.0, "Sample 9999:");

        for (var ordinal = 9992; ordinal <= 9999; ordinal++)
        {
            var thumbnail = grid.Locator($"img[alt^='Sample {ordinal}:']");
            await Expect(thumbnail).ToBeInViewportAsync();
            await page.WaitForFunctionAsync("o => { const i = document.querySelector(`img[alt^='Sample ${o}:']`); return i && i.complete && i.naturalWidth === 28; }", ordinal);
        }

        var inPage = await grid.Locator(".qh-thumb").CountAsync();
        Assert.InRange(inPage, 8, MaxThumbnailsInPage);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "grid-end.png") });
    }

    [Fact]
    public async Task After_a_fast_scroll_each_cell_shows_the_sample_the_API_has_at_that_position()
    {
        var id = await TestData.UploadFashionTestSetAsync(fixture.App.BaseUrl, $"fashion-fling-{Guid.NewGuid():N}"[..20]);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/datasets/{id}");
        var grid = page.GetByRole(AriaRole.List, new() { Name = "Samples" });
        await Expect(grid.Locator("img").First).ToBeVisibleAsync();

        // Forty quick wheel-sized steps down, then one big jump: the cells must end up showing row 777, not a stale row.
        for (var step = 0; step < 40; step++)
        {
            await page.EvalOnSelectorAsync(".qh-thumbs", "e => e.scrollTop += 400");
        }

        await page.EvalOnSelectorAsync(".qh-thumbs", "e => e.scrollTop = 777 * 152");
        var ordinal = 777 * 8 + 3;
        using var http = fixture.App.CreateHttpClient();
        var expected = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/api/datasets/{id}/samples?skip={ordinal}&take=1&inline=true"))
            .RootElement.GetProperty("items")[0];
        var cell = grid.Locator($".qh-thumb[data-ordinal='{ordinal}']");
        await Expect(cell).ToBeInViewportAsync();
        await Expect(cell.Locator("img")).ToHaveAttributeAsync("alt", $"Sample {ordinal}: {expected.GetProperty("groundTruth").GetString()}");
        // A 28×28 PNG comes inside the page of samples, as a data: URL.
        await Expect(cell.Locator("img")).ToHaveAttributeAsync("src", expected.GetProperty("imageData").GetString()!);
        Assert.StartsWith("data:image/png;base64,", expected.GetProperty("imageData").GetString());
        Assert.Equal(1, await grid.Locator($".qh-thumb[data-ordinal='{ordinal}']").CountAsync());
    }

    [Fact]
    public async Task A_label_narrows_the_grid_and_a_thumbnail_opens_its_sample_with_every_runs_answer()
    {
        using var http = fixture.App.CreateHttpClient();
        var datasets = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/datasets")).RootElement;
        var id = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "fashion-mnist-test-2000").GetProperty("id").GetInt32();
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/datasets/{id}");
        var samples = page.GetByLabel("Samples of the dataset");
        await Expect(samples.Locator("[data-shown='2000']")).ToBeVisibleAsync();
        await Expect(page.Locator("[aria-label='Samples of the dataset'][data-interactive='true']")).ToBeVisibleAsync();

        await PortalPage.ChooseAsync(samples, "label", "Bag (200)");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("label=Bag"));
        await Expect(samples.Locator("[data-shown='200']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^200 of 2,000 samples"));
        var grid = page.GetByRole(AriaRole.List, new() { Name = "Samples" });
        await Expect(grid.Locator("img").First).ToBeVisibleAsync();
        Assert.All(await grid.Locator("img[alt]").EvaluateAllAsync<string[]>("imgs => imgs.map(i => i.alt).filter(a => a)"), alt => Assert.EndsWith(": Bag", alt));

        await grid.Locator("a.qh-thumb[href]").First.ClickAsync();
        var review = page.GetByLabel("Sample details");
        await Expect(review).ToContainTextAsync("ground truth Bag");
        await Expect(review).ToContainTextAsync("Every run on this sample");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("sample=\\d+"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "dataset-sample-open.png") });
        await review.GetByRole(AriaRole.Button, new() { Name = "Close the sample" }).ClickAsync();
        await Expect(review).ToHaveCountAsync(0);
    }

    // Jumps the grid's scroll position to a share of its height and waits for the thumbnail whose alt text starts so.
    private static async Task ScrollToAsync(IPage page, double share, string altPrefix)
    {
        await page.EvalOnSelectorAsync(".qh-thumbs", "(e, share) => e.scrollTop = (e.scrollHeight - e.clientHeight) * share", share);
        await Expect(page.Locator($".qh-thumbs img[alt^='{altPrefix}']")).ToBeVisibleAsync();
    }
}
