using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests;

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

    // Jumps the grid's scroll position to a share of its height and waits for the thumbnail whose alt text starts so.
    private static async Task ScrollToAsync(IPage page, double share, string altPrefix)
    {
        await page.EvalOnSelectorAsync(".qh-thumbs", "(e, share) => e.scrollTop = (e.scrollHeight - e.clientHeight) * share", share);
        await Expect(page.Locator($".qh-thumbs img[alt^='{altPrefix}']")).ToBeVisibleAsync();
    }
}
