using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>
/// The demo card reader in a real browser: the Pipelines page (its versions by stage with their latest runs, one photo
/// read by both versions side by side, an uploaded photo, a file that is no image, a ticket filed from a reading) and a
/// pipeline run's page (its headline tiles, the blame counts, the photos by blamed stage).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PipelinesPagesTests(BrowserFixture fixture)
{
    private const string Pipeline = "card-reader";
    private const string V1 = "card-reader-v1";
    private const string Int8 = "card-reader-int8";

    private static string Shot(string name) => Path.Combine(BrowserFixture.ScreenshotFolder, $"pipelines-{name}.png");

    private async Task<JsonElement> GetAsync(string path)
    {
        using var http = fixture.App.CreateHttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
    }

    /// <summary>The latest run of a demo pipeline version (the one the Pipelines page shows).</summary>
    private async Task<JsonElement> LatestRunAsync(string version) =>
        (await GetAsync("/api/evaluations")).EnumerateArray()
            .Where(r => r.GetProperty("version").GetString() == version)
            .MaxBy(r => r.GetProperty("id").GetInt32());

    /// <summary>A photo of a run in dataset order (ordinal 0 is the Pipelines page's first test photo).</summary>
    private async Task<JsonElement> PhotoAsync(int run, int ordinal) =>
        (await GetAsync($"/api/evaluations/{run}/photos?filter=all&skip={ordinal}&take=1")).GetProperty("items")[0];

    private static string Expected(JsonElement photo, string field) =>
        photo.GetProperty("outcomes").EnumerateArray().Single(o => o.GetProperty("field").GetString() == field).GetProperty("expected").GetString()!;

    private static string Predicted(JsonElement photo, string field) =>
        photo.GetProperty("outcomes").EnumerateArray().Single(o => o.GetProperty("field").GetString() == field).GetProperty("predicted").GetString()!;

    private static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static ILocator PhotoChoice(IPage page) => page.Locator("input[name='photo']");

    private static ILocator Answer(IPage page, string version) => page.Locator($"[data-answer='{Pipeline}/{version}']");

    /// <summary>
    /// Opens the Pipelines page and waits until its circuit handles input: the page has no marker of its own, so the
    /// photo list is opened (a click on the prerendered copy does nothing) and closed again.
    /// </summary>
    private async Task<IPage> OpenPipelinesAsync()
    {
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1800);
        await page.GotoAsync("pipelines");
        await Expect(page.Locator($"[data-pipeline='{Pipeline}']")).ToBeVisibleAsync();
        var select = page.Locator(".qh-photo-select [role='combobox']");
        var options = page.Locator(".mud-popover-open .mud-list-item");
        for (var attempt = 0; await options.CountAsync() == 0; attempt++)
        {
            Assert.True(attempt < 20, "The Pipelines page did not become interactive.");
            await select.ClickAsync();
            try
            {
                await options.First.WaitForAsync(new() { Timeout = 2_000 });
            }
            catch (TimeoutException)
            {
            }
        }

        await page.Keyboard.PressAsync("Escape");
        await Expect(options).ToHaveCountAsync(0);
        return page;
    }

    /// <summary>Picks the first test photo in the photo list.</summary>
    private static async Task PickFirstTestPhotoAsync(IPage page, long sampleId)
    {
        await page.Locator(".qh-photo-select [role='combobox']").ClickAsync();
        var options = page.Locator(".mud-popover-open .mud-list-item");
        await options.First.ClickAsync();
        await Expect(options).ToHaveCountAsync(0);
        await Expect(PhotoChoice(page)).ToHaveValueAsync(sampleId.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Gives the page a file; once it is read in, the photo list shows no test photo (value 0).</summary>
    private static async Task UploadAsync(IPage page, string path)
    {
        await page.Locator(".qh-upload input[type=file]").SetInputFilesAsync(path);
        await Expect(PhotoChoice(page)).ToHaveValueAsync("0");
    }

    /// <summary>The characters of one row of a <c>FieldDiff</c> (0 expected, 1 read), without the gaps of the alignment.</summary>
    private static Task<string> DiffRowAsync(ILocator diff, int row) =>
        diff.Locator(".qh-textdiff-row").Nth(row)
            .EvaluateAsync<string>("r => [...r.querySelectorAll('.qh-ch')].map(s => s.textContent).join('').replace(/\\u2002/g, '')");

    [Fact]
    public async Task The_card_reader_lists_both_versions_with_their_runs_reads_the_first_test_photo_with_both_and_files_a_ticket_from_it()
    {
        var pipeline = (await GetAsync("/api/pipelines")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == Pipeline);
        var moduleId = pipeline.GetProperty("moduleId").GetInt32();
        var page = await OpenPipelinesAsync();
        var card = page.Locator($"[data-pipeline='{Pipeline}']");

        var firstRun = 0;
        foreach (var version in new[] { V1, Int8 })
        {
            var stages = pipeline.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("name").GetString() == version).GetProperty("stages");
            Assert.Equal(4, stages.GetArrayLength());
            var row = card.Locator($"tr[data-version='{version}']");
            await Expect(row).ToHaveAttributeAsync("data-usable", "true");
            await Expect(row.Locator("ol.qh-stages > li")).ToHaveCountAsync(4);
            for (var i = 0; i < 4; i++)
            {
                await Expect(row.Locator("ol.qh-stages > li").Nth(i)).ToHaveAttributeAsync("data-kind", stages[i].GetProperty("kind").GetString()!);
            }

            var run = await LatestRunAsync(version);
            var runId = run.GetProperty("id").GetInt32();
            Assert.Equal("completed", run.GetProperty("status").GetString());
            await Expect(row.Locator($"a[href='evaluations/{runId}']")).ToHaveTextAsync($"run #{runId}");
            await Expect(row.Locator(".qh-run-status")).ToHaveAttributeAsync("data-status", "completed");
            var headline = (await GetAsync($"/api/evaluations/{runId}")).GetProperty("metrics").GetProperty("detail").GetProperty("headline").GetProperty("value").GetDouble();
            await Expect(row.Locator("[data-cards-right]")).ToHaveAttributeAsync("data-cards-right", headline.ToString("0.####", CultureInfo.InvariantCulture));
            await Expect(page.Locator($"input[data-pipeline-version='{version}']")).ToBeCheckedAsync();
            if (version == V1)
            {
                firstRun = runId;
            }
        }

        // The first test photo is chosen; Read shows each version's reading of it, with the truth drawn and compared.
        var photo = await PhotoAsync(firstRun, 0);
        var sampleId = photo.GetProperty("sampleId").GetInt64();
        await Expect(PhotoChoice(page)).ToHaveValueAsync(sampleId.ToString(CultureInfo.InvariantCulture));
        await page.Locator("[data-read]").ClickAsync();
        await Expect(page.Locator("[data-answers]")).ToHaveAttributeAsync("data-answers", "2");
        await Expect(page.Locator("[data-answer]")).ToHaveCountAsync(2);
        var (number, expiry) = (Expected(photo, "Number"), Expected(photo, "Expiry"));
        foreach (var version in new[] { V1, Int8 })
        {
            var answer = Answer(page, version);
            var image = answer.Locator(".qh-photo-frame img");
            await Expect(image).ToHaveAttributeAsync("src", $"api/samples/{sampleId}/image");
            await Expect(image).ToHaveJSPropertyAsync("naturalWidth", photo.GetProperty("width").GetInt32());
            await Expect(answer.Locator("svg polygon.qh-box-true")).ToHaveCountAsync(photo.GetProperty("trueLines").GetArrayLength());
            await Expect(answer.Locator("svg polygon.qh-box-matched").First).ToBeAttachedAsync();
            var numberDiff = answer.Locator(".qh-textdiff[data-field='number']");
            var expiryDiff = answer.Locator(".qh-textdiff[data-field='expiry']");
            await Expect(numberDiff).ToBeVisibleAsync();
            await Expect(expiryDiff).ToBeVisibleAsync();
            Assert.Equal(number, await DiffRowAsync(numberDiff, 0));
            Assert.Equal(expiry, await DiffRowAsync(expiryDiff, 0));
        }

        await page.ScreenshotAsync(new() { Path = Shot("read"), FullPage = true });

        // A ticket from v1's reading: the form holds the photo, the fields expected and read, and both readings.
        var v1Id = pipeline.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("name").GetString() == V1).GetProperty("id").GetInt32();
        await page.Locator($"[data-file-ticket='{Pipeline}/{V1}']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/tickets/new\\?moduleId={moduleId}&modelVersionId={v1Id}&imageSha=[0-9a-f]{{64}}&"));
        await Expect(page.Locator(".qh-ticket-form-layout[data-interactive='true']")).ToBeVisibleAsync();
        var description = page.Locator("textarea[name='description']");
        await Expect(description).ToHaveValueAsync(new Regex($"{Pipeline}/{V1} read: "));
        await Expect(description).ToHaveValueAsync(new Regex($"{Pipeline}/{Int8} read: "));
        await Expect(page.Locator("input[name='expectedOutput']")).ToHaveValueAsync($"{number} · {expiry}");
        await Expect(page.Locator("input[name='actualOutput']")).ToHaveValueAsync(photo.GetProperty("output").GetString()!); // as the run read it

        await Expect(page.Locator("input[name='title']")).ToHaveValueAsync(new Regex($"^{Pipeline}/{V1}: expected '{number} · {Regex.Escape(expiry)}', read '"));
        await Expect(page.Locator("input[name='moduleId']")).ToHaveValueAsync(Pipeline);
        await Expect(page.Locator("img[data-input-image]")).ToBeVisibleAsync();
        await Expect(page.Locator("img[data-input-image]")).ToHaveJSPropertyAsync("naturalWidth", photo.GetProperty("width").GetInt32());
        await page.ScreenshotAsync(new() { Path = Shot("ticket"), FullPage = true });
    }

    [Fact]
    public async Task A_pipeline_runs_page_shows_its_tiles_and_blame_counts_and_its_photos_by_blamed_stage_as_the_API_counts_them()
    {
        var runId = (await LatestRunAsync(V1)).GetProperty("id").GetInt32();
        var metrics = (await GetAsync($"/api/evaluations/{runId}")).GetProperty("metrics").GetProperty("detail");
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1600);
        await page.GotoAsync($"evaluations/{runId}");
        await Expect(page.Locator(".qh-run[data-interactive='true']")).ToHaveCountAsync(1);

        var cardsRight = metrics.GetProperty("headline").GetProperty("value").GetDouble();
        var hMean = metrics.GetProperty("detection").GetProperty("hMean").GetProperty("value").GetDouble();
        await Expect(page.Locator(".qh-tile[data-label='cards read right'] .qh-tile-value")).ToHaveTextAsync(cardsRight.ToString("P2", CultureInfo.InvariantCulture));
        await Expect(page.Locator(".qh-tile[data-label='detection H-mean'] .qh-tile-value")).ToHaveTextAsync(hMean.ToString("P2", CultureInfo.InvariantCulture));

        // The number's wrong fields by stage, each count a link.
        var blamed = metrics.GetProperty("fields").GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("field").GetString() == "Number").GetProperty("blamed");
        var row = page.Locator("table.qh-fields tr[data-field='number']");
        foreach (var (stage, key) in new[] { ("detector", "Detector"), ("recogniser", "Recogniser"), ("parser", "Parser") })
        {
            var link = row.Locator($"a[data-blame='{stage}']");
            await Expect(link).ToHaveTextAsync(Invariant(blamed.GetProperty(key).GetInt32()));
        }

        await ShowsAsTheApiAsync(page, runId, "detector");
        await page.ScreenshotAsync(new() { Path = Shot("run-detector"), FullPage = true });
        await ShowsAsTheApiAsync(page, runId, "recogniser");

        // A count in the table opens the photos whose number is put down to that stage: as many as it says.
        var recognised = blamed.GetProperty("Recogniser").GetInt32();
        Assert.Equal(recognised, (await GetAsync($"/api/evaluations/{runId}/photos?filter=recogniser&field=number&take=0")).GetProperty("total").GetInt32());
        await row.Locator("a[data-blame='recogniser']").ClickAsync();
        await Expect(page.Locator("[data-photo-count]")).ToHaveAttributeAsync("data-photo-count", Invariant(recognised));
        await Expect(page.Locator("[data-sample]")).ToHaveCountAsync(Math.Min(recognised, 12));
        await Expect(page.Locator("[data-sample]").Filter(new() { Has = page.Locator(".qh-field-outcome[data-field='number'][data-blame='recogniser']") }))
            .ToHaveCountAsync(Math.Min(recognised, 12));
    }

    /// <summary>Clicks a filter button and checks the page shows the API's photos for it: their count, the first page in order, each with a field blamed on that stage.</summary>
    private async Task ShowsAsTheApiAsync(IPage page, int runId, string filter)
    {
        var api = await GetAsync($"/api/evaluations/{runId}/photos?filter={filter}&take=12");
        var total = api.GetProperty("total").GetInt32();
        var items = api.GetProperty("items").EnumerateArray().ToList();
        Assert.True(total > 0, $"The demo run has no photo blamed on the {filter}.");
        Assert.Equal(Math.Min(total, 12), items.Count);

        var button = page.Locator($"button[data-filter='{filter}']");
        await button.ClickAsync();
        await Expect(button).ToHaveClassAsync(new Regex("mud-button-filled"));
        await Expect(button).ToContainTextAsync($"({total})");
        await Expect(page.Locator("[data-photo-count]")).ToHaveAttributeAsync("data-photo-count", Invariant(total));
        var cards = page.Locator("[data-sample]");
        await Expect(cards).ToHaveCountAsync(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            await Expect(cards.Nth(i)).ToHaveAttributeAsync("data-sample", items[i].GetProperty("sampleId").GetInt64().ToString(CultureInfo.InvariantCulture));
        }

        await Expect(cards.Filter(new() { Has = page.Locator($"[data-blame='{filter}']") })).ToHaveCountAsync(items.Count);
        await Expect(cards.Filter(new() { Has = page.Locator("svg polygon.qh-box-true") })).ToHaveCountAsync(items.Count);
        await Expect(page.Locator(".qh-pipeline-run .mud-pagination")).ToHaveCountAsync(total > 12 ? 1 : 0);
    }

    [Fact]
    public async Task A_file_that_is_no_image_is_refused_with_a_message_and_an_uploaded_photo_is_read_without_a_truth_to_compare()
    {
        var runId = (await LatestRunAsync(V1)).GetProperty("id").GetInt32();
        var first = (await PhotoAsync(runId, 0)).GetProperty("sampleId").GetInt64();
        // The second test photo, as a file: card-reader-v1 reads it as it did in its run.
        var second = await PhotoAsync(runId, 1);
        var page = await OpenPipelinesAsync();
        await Expect(PhotoChoice(page)).ToHaveValueAsync(first.ToString(CultureInfo.InvariantCulture));

        var notImage = Path.Combine(Path.GetTempPath(), $"not-an-image-{Guid.NewGuid():N}.png");
        await File.WriteAllTextAsync(notImage, "this is text, not pixels");
        try
        {
            await UploadAsync(page, notImage);
        }
        finally
        {
            File.Delete(notImage);
        }

        await page.Locator("[data-read]").ClickAsync();
        var problem = page.Locator(".qh-read-problem");
        await Expect(problem).ToContainTextAsync("cannot be read");
        await Expect(problem).ToHaveAttributeAsync("role", "alert");
        await Expect(page.Locator("[data-answers]")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Shot("not-an-image"), FullPage = true });

        // A test photo chosen again clears the message; then a photo file is read by both versions, with nothing to compare it to.
        await PickFirstTestPhotoAsync(page, first);
        await Expect(problem).ToHaveCountAsync(0);
        await UploadAsync(page, RepositoryFiles.Path("data", "demo", "card-photos", "images", "0002.jpg"));
        await page.Locator("[data-read]").ClickAsync();
        await Expect(page.Locator("[data-answers]")).ToHaveAttributeAsync("data-answers", "2");
        foreach (var version in new[] { V1, Int8 })
        {
            var answer = Answer(page, version);
            await Expect(answer.Locator(".qh-photo-frame img")).ToHaveAttributeAsync("src", new Regex("^data:image/jpeg;base64,"));
            await Expect(answer.Locator(".qh-photo-frame img")).ToHaveJSPropertyAsync("naturalWidth", second.GetProperty("width").GetInt32());
            await Expect(answer.Locator("svg polygon.qh-box-matched").First).ToBeAttachedAsync();
            await Expect(answer.Locator("svg polygon.qh-box-true")).ToHaveCountAsync(0);
            await Expect(answer.Locator(".qh-textdiff")).ToHaveCountAsync(0);
            await Expect(answer).ToContainTextAsync(new Regex("number \\S+ · expiry \\S+"));
        }

        await Expect(Answer(page, V1)).ToContainTextAsync($"number {Predicted(second, "Number")} · expiry {Predicted(second, "Expiry")}");
        await page.ScreenshotAsync(new() { Path = Shot("upload"), FullPage = true });

        // The page still reads a test photo, with its truth.
        await PickFirstTestPhotoAsync(page, first);
        await Expect(page.Locator("[data-answers]")).ToHaveCountAsync(0);
        await page.Locator("[data-read]").ClickAsync();
        await Expect(page.Locator("[data-answers]")).ToHaveAttributeAsync("data-answers", "2");
        await Expect(page.Locator("[data-answer] .qh-textdiff[data-field='number']")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-answer] .qh-textdiff[data-field='expiry']")).ToHaveCountAsync(2);
        await Expect(Answer(page, V1).Locator(".qh-photo-frame img")).ToHaveAttributeAsync("src", $"api/samples/{first}/image");

        // A ticket from an uploaded photo carries the photo itself, stored (as PNG, as tickets show images) and named
        // by its content hash. (The photo again under another name: a file input does not report the same file twice.)
        var file = Path.Combine(Path.GetTempPath(), $"card-{Guid.NewGuid():N}.jpg");
        File.Copy(RepositoryFiles.Path("data", "demo", "card-photos", "images", "0002.jpg"), file);
        try
        {
            await UploadAsync(page, file);
        }
        finally
        {
            File.Delete(file);
        }

        await page.Locator("[data-read]").ClickAsync();
        await Expect(page.Locator("[data-answers]")).ToHaveAttributeAsync("data-answers", "2");
        await page.Locator($"[data-file-ticket='{Pipeline}/{V1}']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("imageSha=[0-9a-f]{64}&"));
        Assert.DoesNotContain("sampleId=", page.Url, StringComparison.Ordinal);
        var sha = new Regex("imageSha=([0-9a-f]{64})").Match(page.Url).Groups[1].Value;
        await Expect(page.Locator($"img[data-input-image='{sha}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"img[data-input-image='{sha}']")).ToHaveJSPropertyAsync("naturalWidth", second.GetProperty("width").GetInt32());
        await Expect(page.Locator("input[name='actualOutput']")).ToHaveValueAsync($"{Predicted(second, "Number")} · {Predicted(second, "Expiry")}");
    }

    [Fact]
    public async Task On_Compare_a_pipeline_reads_a_photo_side_by_side_and_a_pipeline_runs_gallery_and_the_release_board_show_it_by_stage()
    {
        var moduleId = (await GetAsync("/api/pipelines")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == Pipeline).GetProperty("moduleId").GetInt32();
        var runId = (await LatestRunAsync(V1)).GetProperty("id").GetInt32();
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1800);

        // Compare, with the card reader chosen: its versions read the photo through their stages, side by side.
        await page.GotoAsync($"compare?module={moduleId}");
        await Expect(page.Locator($"[data-compare-pipeline='{Pipeline}']")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-pipeline-read[data-interactive='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-version]")).ToHaveCountAsync(0); // no model candidates for a pipeline
        await Expect(page.Locator($"input[data-pipeline-version='{V1}']")).ToBeCheckedAsync();
        await Expect(page.Locator($"input[data-pipeline-version='{Int8}']")).ToBeCheckedAsync();
        var first = await PhotoAsync(runId, 0);
        await page.Locator("[data-read]").ClickAsync();
        await Expect(page.Locator("[data-answers]")).ToHaveAttributeAsync("data-answers", "2");
        await Expect(page.Locator("[data-answer] .qh-textdiff[data-field='number']")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-answer] table.qh-stage-times tbody tr")).ToHaveCountAsync(10); // four stages and end to end, twice
        Assert.Equal(Expected(first, "Number"), await DiffRowAsync(Answer(page, V1).Locator(".qh-textdiff[data-field='number']"), 0));
        await page.ScreenshotAsync(new() { Path = Shot("compare"), FullPage = true });

        // The run's gallery, linked by blamed stage and field: the photos the API counts for them.
        var recognised = (await GetAsync($"/api/evaluations/{runId}/photos?filter=recogniser&field=number&take=0")).GetProperty("total").GetInt32();
        await page.GotoAsync($"evaluations/{runId}/gallery?blame=recogniser&field=number");
        await Expect(page.Locator(".qh-pipeline-gallery[data-interactive='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator("button[data-filter='recogniser']")).ToHaveClassAsync(new Regex("mud-button-filled"));
        await Expect(page.Locator("[data-photo-count]")).ToHaveAttributeAsync("data-photo-count", Invariant(recognised));
        await Expect(page.Locator("[data-sample] .qh-field-outcome[data-field='number'][data-blame='recogniser']")).ToHaveCountAsync(Math.Min(recognised, 12));
        await page.ScreenshotAsync(new() { Path = Shot("gallery-recogniser"), FullPage = true });
        await page.Locator("button[data-filter='detector']").ClickAsync();
        var detected = (await GetAsync($"/api/evaluations/{runId}/photos?filter=detector&field=number&take=0")).GetProperty("total").GetInt32();
        await Expect(page.Locator("[data-photo-count]")).ToHaveAttributeAsync("data-photo-count", Invariant(detected));
        await page.GotoAsync($"evaluations/{runId}/gallery?blame=nobody");
        await Expect(page.Locator(".qh-gallery [role='alert']")).ToContainTextAsync("'nobody' is no stage to blame");
        await Expect(page.Locator("button[data-filter='wrong']")).ToHaveClassAsync(new Regex("mud-button-filled"));

        // The run's page: each field under the module's rule and raw, as printed against as read.
        await page.GotoAsync($"evaluations/{runId}");
        await Expect(page.Locator("table.qh-fields td[data-raw='exact']")).ToHaveCountAsync(2);
        await Expect(page.Locator("table.qh-fields thead")).ToContainTextAsync("Under the module's rule (ignoring spaces)");

        // The release board: the card reader's processing time, stage by stage.
        await page.GotoAsync("releases");
        await Expect(page.Locator(".qh-board-page[data-interactive='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-stage-times]").First).ToContainTextAsync(new Regex("detect \\d"));
    }
}
