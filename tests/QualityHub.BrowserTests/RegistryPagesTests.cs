using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests;

/// <summary>The demo content a fresh install loads, as a person browses it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RegistryPagesTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_dataset_shows_its_licence_its_kinds_chart_and_a_grid_of_real_thumbnails()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();

        await portal.NavigateByClickAsync("Datasets");
        await page.GetByRole(AriaRole.Link, new() { Name = "card-text-test" }).ClickAsync();

        await Expect(portal.Heading).ToHaveTextAsync("card-text-test");
        await Expect(page.GetByLabel("Licence")).ToContainTextAsync("CC0-1.0");
        await Expect(portal.Chart).ToBeVisibleAsync();
        var thumbnails = page.GetByRole(AriaRole.Listitem).Locator("img");
        await Expect(thumbnails.First).ToBeVisibleAsync();
        // The images are real PNGs the browser decoded, not broken links.
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('.qh-thumb img'); return i && i.complete && i.naturalWidth > 0; }");
        Assert.True(await thumbnails.CountAsync() >= 8);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "dataset.png") });
    }

    [Fact]
    public async Task A_model_version_shows_what_its_file_declares_and_its_card()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();

        await portal.NavigateByClickAsync("Models");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "card-text-recognizer" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "pp-ocrv4-rec" }).ClickAsync();

        await Expect(portal.Heading).ToHaveTextAsync("card-text-recognizer / pp-ocrv4-rec");
        await Expect(page.GetByText("softmax_11.tmp_0").First).ToBeVisibleAsync();
        await Expect(page.GetByText("\"task\": \"text-recognition\"")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "model.png") });
    }
}
