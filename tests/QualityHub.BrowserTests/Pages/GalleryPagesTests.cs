using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The error gallery in a real browser: from a confusion-matrix cell to an item to a tag, the comparison's regressions, and bulk tagging.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GalleryPagesTests(BrowserFixture fixture)
{
    private async Task<JsonElement> GetAsync(string path)
    {
        using var http = fixture.App.CreateHttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
    }

    private async Task<int> DemoRunAsync(string version) =>
        (await GetAsync("/api/evaluations")).EnumerateArray()
            .Where(r => r.GetProperty("version").GetString() == version && r.GetProperty("status").GetString() == "completed")
            .Min(r => r.GetProperty("id").GetInt32());

    [Fact]
    public async Task A_matrix_cell_opens_its_gallery_an_item_opens_with_every_runs_answer_and_takes_a_tag()
    {
        var run = await DemoRunAsync("fashion-cnn-v1");
        var confusion = (await GetAsync($"/api/evaluations/{run}")).GetProperty("metrics").GetProperty("detail").GetProperty("classification").GetProperty("confusion");
        var labels = confusion.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToList();
        // Shirts taken for T-shirts: the demo CNN's most common confusion.
        var (row, column) = (labels.IndexOf("Shirt"), labels.IndexOf("T-shirt/top"));
        var expected = confusion.GetProperty("counts")[row][column].GetInt32();
        Assert.True(expected > 0);

        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 2400);
        await page.GotoAsync($"evaluations/{run}");
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);
        var heatmap = page.GetByRole(AriaRole.Img, new() { Name = "Confusion matrix: true label by predicted label" });
        var cells = heatmap.Locator(".nsewdrag").First;
        await Expect(cells).ToBeVisibleAsync();
        var box = (await cells.BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + (column + 0.5f) * box.Width / labels.Count, box.Y + (row + 0.5f) * box.Height / labels.Count);

        // The gallery of that cell: its URL names the cell, its count is the cell's.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/evaluations/{run}/gallery\\?trueLabel=Shirt&predLabel=T-shirt%2Ftop$"));
        await Expect(page.Locator(".qh-gallery[data-interactive='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator(".qh-gallery-count")).ToHaveAttributeAsync("data-count", expected.ToString(CultureInfo.InvariantCulture));
        var items = page.Locator(".qh-gallery-item[data-sample-id]");
        await Expect(items).ToHaveCountAsync(expected);
        await Expect(items.First.Locator(".qh-truth")).ToHaveTextAsync("Shirt");
        await Expect(items.First.Locator(".qh-output")).ToContainTextAsync("T-shirt/top");

        // The item: full image, every classifier's answer, then a tag.
        var sampleId = await items.First.GetAttributeAsync("data-sample-id");
        await items.First.ClickAsync();
        var panel = page.GetByRole(AriaRole.Complementary, new() { Name = "Sample details" });
        await Expect(panel).ToHaveAttributeAsync("data-sample-id", sampleId!);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"&item={sampleId}$"));
        await Expect(panel.Locator(".qh-review-outputs tr")).ToHaveCountAsync(3);
        await Expect(panel.Locator(".qh-review-current")).ToContainTextAsync("fashion-cnn-v1");
        await PortalPage.ChooseAsync(panel, "tag", "blur");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(panel.Locator(".qh-chip")).ToContainTextAsync("blur");
        await Expect(page.Locator($".qh-gallery-item[data-sample-id='{sampleId}'] .qh-tags")).ToContainTextAsync("blur");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "gallery-item.png") });

        // Stored: the API's review of the sample has the tag; the shared URL opens the same item.
        var review = await GetAsync($"/api/samples/{sampleId}/review");
        Assert.Contains("blur", review.GetProperty("errorTags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var shared = await fixture.NewPageAsync();
        await shared.GotoAsync(page.Url);
        await Expect(shared.GetByRole(AriaRole.Complementary, new() { Name = "Sample details" })).ToHaveAttributeAsync("data-sample-id", sampleId!);
        await Expect(shared.Locator(".qh-gallery-count")).ToHaveAttributeAsync("data-count", expected.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_comparisons_regressions_open_as_a_gallery_of_that_many_items()
    {
        var (a, b) = (await DemoRunAsync("fashion-mlp-v1"), await DemoRunAsync("fashion-cnn-v1"));
        var pair = (await GetAsync($"/api/evaluations/compare?ids={a},{b}")).GetProperty("pairs")[0];
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1600);
        await page.GotoAsync($"evaluations/compare?ids={a},{b}");
        await Expect(page.Locator(".qh-run-comparison-page[data-interactive='true']")).ToHaveCountAsync(1);
        await page.Locator("a.qh-regressions").ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/evaluations/{b}/gallery\\?compareTo={a}&change=regressions$"));
        await Expect(page.Locator(".qh-change-banner")).ToContainTextAsync("Regressions");
        await Expect(page.Locator(".qh-gallery-count")).ToHaveAttributeAsync("data-count", pair.GetProperty("regressions").GetInt32().ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator(".qh-gallery[data-interactive='true']")).ToHaveCountAsync(1); // past the prerendered page
        await page.Locator(".qh-change-banner").GetByRole(AriaRole.Link, new() { Name = "show fixes" }).ClickAsync();
        await Expect(page.Locator(".qh-gallery-count")).ToHaveAttributeAsync("data-count", pair.GetProperty("fixes").GetInt32().ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_recognisers_gallery_shows_each_wrong_answer_aligned_with_its_truth_character_by_character()
    {
        var run = await DemoRunAsync("pp-ocrv4-rec");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"evaluations/{run}/gallery");
        await Expect(page.Locator(".qh-gallery[data-interactive='true']")).ToHaveCountAsync(1);
        var cell = page.Locator(".qh-gallery-item[data-diff='true']").First;
        await Expect(cell).ToBeVisibleAsync();

        // Both rows hold one span per step of the alignment, and at least one step is marked as a difference.
        var truthSteps = await cell.Locator(".qh-truth .qh-ch").CountAsync();
        Assert.True(truthSteps > 0);
        Assert.Equal(truthSteps, await cell.Locator(".qh-output .qh-ch").CountAsync());
        Assert.True(await cell.Locator(".qh-output .qh-ch-sub, .qh-output .qh-ch-ins, .qh-output .qh-ch-del").CountAsync() > 0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "gallery-text-diff.png") });
    }

    [Fact]
    public async Task All_matching_items_are_tagged_at_once_and_an_empty_filter_says_so()
    {
        var run = await DemoRunAsync("fashion-linear-v1");
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1600);
        await page.GotoAsync($"evaluations/{run}/gallery?trueLabel=Bag");
        await Expect(page.Locator(".qh-gallery[data-interactive='true']")).ToHaveCountAsync(1);
        var total = int.Parse((await page.Locator(".qh-gallery-count").GetAttributeAsync("data-count"))!, CultureInfo.InvariantCulture);
        Assert.True(total > 0);
        await Expect(page.Locator(".qh-gallery-item[data-sample-id]").First).ToBeVisibleAsync();

        await page.Locator(".qh-select-all").ClickAsync();
        await Expect(page.Locator(".qh-selection")).ToHaveAttributeAsync("data-count", total.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("New tag for the selection").FillAsync("strap clutter");
        await page.Locator(".qh-tag-selection").ClickAsync();
        await Expect(page.Locator(".qh-tag-message")).ToContainTextAsync($"Tagged {total} item");
        await Expect(page.Locator(".qh-gallery-item[data-sample-id] .qh-tags").First).ToContainTextAsync("strap clutter");
        var tagged = await GetAsync($"/api/evaluations/{run}/gallery?trueLabel=Bag&tag=strap%20clutter&take=0");
        Assert.Equal(total, tagged.GetProperty("total").GetInt32());

        // The tag filter through the page, then a filter that matches nothing.
        await page.GotoAsync($"evaluations/{run}/gallery?trueLabel=Bag&tag=strap%20clutter");
        await Expect(page.Locator(".qh-gallery-count")).ToHaveAttributeAsync("data-count", total.ToString(CultureInfo.InvariantCulture));
        await page.GotoAsync($"evaluations/{run}/gallery?trueLabel=Bag&predLabel=Trouser&tag=%3Cb%3Ex%3C%2Fb%3E");
        await Expect(page.Locator(".qh-empty")).ToContainTextAsync("No items match these filters.");
        await Expect(page.Locator("b", new() { HasText = "x" })).ToHaveCountAsync(0); // the tag name is text, not markup
        await page.GotoAsync($"evaluations/{run}/gallery?minConf=2");
        await Expect(page.Locator(".qh-filter-error")).ToContainTextAsync("minConf");
        await page.GotoAsync("evaluations/9999/gallery");
        await Expect(page.Locator(".qh-gallery-missing")).ToContainTextAsync("There is no evaluation run 9999");
    }
}
