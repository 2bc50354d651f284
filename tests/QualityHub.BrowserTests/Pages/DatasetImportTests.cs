using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>A data curator imports datasets from the Datasets page: progress, problems, success and Cancel.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DatasetImportTests(BrowserFixture fixture) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("qualityhub-import-ui-").FullName;

    private async Task<(IPage Page, ImportPanel Panel)> OpenDatasetsAsync()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        await portal.NavigateByClickAsync("Datasets");
        return (page, new ImportPanel(page));
    }

    private async Task<IReadOnlyList<string>> DatasetNamesAsync()
    {
        using var http = fixture.App.CreateHttpClient();
        var datasets = await http.GetFromJsonAsync<JsonElement>("/api/datasets");
        return datasets.EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
    }

    private bool TempFolderIsEmpty()
    {
        var temp = Path.Combine(fixture.App.DataDirectory, "store", "tmp");
        return !Directory.Exists(temp) || !Directory.EnumerateFileSystemEntries(temp).Any();
    }

    [Fact]
    public async Task A_zip_with_bad_rows_lists_its_problems_and_a_good_one_becomes_a_dataset_linked_to_its_page()
    {
        var (page, panel) = await OpenDatasetsAsync();
        var bad = $"cards-bad-{Guid.NewGuid():N}"[..18];
        var good = $"cards-{Guid.NewGuid():N}"[..14];

        await panel.FillAsync(bad, "CC0-1.0", "number,expiry");
        await panel.ChooseZipAsync(TestData.CardTextZip(folder, "labels.csv", "file,label,tags", "images/0001.png,number,embossed", "images/0003.png,unicorn,", "images/0999.png,number,", "../escape.png,expiry,"));
        await panel.ImportAsync();

        await Expect(panel.Outcome).ToContainTextAsync("3 problem(s) found; nothing was registered.");
        await Expect(panel.Problems).ToHaveCountAsync(3);
        await Expect(panel.Problems.Filter(new() { HasText = "label 'unicorn' is not one of" })).ToHaveCountAsync(1);
        await Expect(panel.Problems.Filter(new() { HasText = "'images/0999.png' is not in the zip" })).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "import-failed.png"), FullPage = true });
        Assert.DoesNotContain(bad, await DatasetNamesAsync());

        await panel.FillAsync(good, "CC0-1.0", "", commercial: false);
        await PortalPage.ChooseAsync(panel.Root, "module", "card-text-recognizer");
        await Expect(panel.Root.Locator("input[name=task]")).ToHaveValueAsync("text recognition");
        await panel.ChooseZipAsync(TestData.CardTextZip(folder, "labels.jsonl", TestData.CardTextLines(40)));
        await panel.ImportAsync();

        await Expect(panel.Outcome).ToContainTextAsync($"{good}: Imported 40 samples.");
        await Expect(page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = good, Exact = true })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "import-succeeded.png"), FullPage = true });
        await panel.Outcome.GetByRole(AriaRole.Link, new() { Name = $"Open {good}" }).ClickAsync();
        await Expect(new PortalPage(page).Heading).ToHaveTextAsync(good);
        await Expect(page.GetByText("40 samples")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Locator("img").First).ToBeVisibleAsync();
        Assert.True(TempFolderIsEmpty());
    }

    [Fact]
    public async Task A_10000_image_import_shows_live_progress_and_Cancel_registers_nothing_and_removes_the_upload()
    {
        var (page, panel) = await OpenDatasetsAsync();
        var name = $"fashion-cancel-{Guid.NewGuid():N}"[..22];

        await panel.FillAsync(name, "MIT", TestData.FashionLabelSet);
        await panel.ChooseIdxAsync(TestData.FashionImages, TestData.FashionLabels);
        await panel.ImportAsync();

        await Expect(panel.Progress).ToContainTextAsync("Checking and storing images:", new() { Timeout = 60_000 });
        await Expect(panel.Progress).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"of 10,000 items \([\d,]+ items/s\)"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "import-progress.png"), FullPage = true });
        await panel.CancelAsync();

        await Expect(panel.Outcome).ToContainTextAsync("Import cancelled: nothing was registered and the uploaded files were removed.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "import-cancelled.png"), FullPage = true });
        Assert.DoesNotContain(name, await DatasetNamesAsync());
        Assert.True(TempFolderIsEmpty());
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToHaveCountAsync(0);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
