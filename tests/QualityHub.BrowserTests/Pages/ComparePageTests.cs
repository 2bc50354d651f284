using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The Compare page in a real browser: every way of giving an input, the batch strip, collections, bad input.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ComparePageTests(BrowserFixture fixture)
{
    private const string Done = ".qh-compare-input[data-complete='true']";

    // The Fashion-MNIST module, named in the URL: other tests add versions to the other module.
    private async Task<IPage> OpenAsync(string module = "fashion-mnist-classifier")
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"{fixture.App.BaseUrl}/health");
        var modules = await page.EvaluateAsync<JsonElement>("async () => (await fetch('api/modules')).json()");
        var fashion = modules.EnumerateArray().Single(m => m.GetProperty("name").GetString() == module).GetProperty("id").GetInt32();
        // The demo's versions by name (a retired one is not preselected, and other tests register more).
        var models = await page.EvaluateAsync<JsonElement>("async () => (await fetch('api/models')).json()");
        var demo = models.EnumerateArray()
            .Where(m => m.GetProperty("moduleId").GetInt32() == fashion && m.GetProperty("name").GetString() is "fashion-linear-v1" or "fashion-mlp-v1" or "fashion-cnn-v1" or "pp-ocrv4-rec")
            .Select(m => m.GetProperty("id").GetInt32());
        await page.GotoAsync($"{fixture.App.BaseUrl}/compare?module={fashion}&versions={string.Join(',', demo)}");
        await page.Locator("[data-interactive='true'] [data-sample]").First.WaitForAsync();
        return page;
    }

    private static async Task<int> RunNumberAsync(IPage page) =>
        await page.Locator(".qh-compare-input").CountAsync() == 0 ? 0 : int.Parse((await page.Locator(".qh-compare-input").GetAttributeAsync("data-run"))!);

    private static async Task WaitForRunAsync(IPage page, int after) =>
        await page.WaitForFunctionAsync($"() => {{ const b = document.querySelector('.qh-compare-input'); return b && Number(b.dataset.run) > {after} && b.dataset.complete === 'true'; }}");

    [Fact]
    public async Task A_click_on_a_sample_shows_each_candidates_answer_as_the_API_gives_it_with_ground_truth_and_charts()
    {
        var page = await OpenAsync();
        var sample = page.Locator("[data-sample]").First;
        var sampleId = await sample.GetAttributeAsync("data-sample");

        await sample.ClickAsync();
        await page.Locator(Done).WaitForAsync();

        var cards = page.Locator(".qh-candidate[data-state='done']");
        await Expect(cards).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-ground-truth]")).Not.ToBeEmptyAsync();
        await Expect(page.Locator(".qh-candidate .qh-plot .js-plotly-plot")).ToHaveCountAsync(3);
        var ids = await page.Locator(".qh-candidate").EvaluateAllAsync<int[]>("cards => cards.map(c => Number(c.dataset.candidate))");
        var api = await page.EvaluateAsync<JsonElement>(
            "async ([ids, sample]) => (await fetch('api/compare', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ modelVersionIds: ids, sampleId: Number(sample) }) })).json()",
            new object[] { ids, sampleId! });
        foreach (var item in api.GetProperty("items").EnumerateArray())
        {
            var card = page.Locator($".qh-candidate[data-candidate='{item.GetProperty("modelVersionId").GetInt32()}']");
            await Expect(card.Locator("[data-output]")).ToHaveTextAsync(item.GetProperty("output").GetString()!);
            await Expect(card).ToContainTextAsync(item.GetProperty("correct").GetBoolean() ? "right" : "wrong");
            await Expect(card).ToContainTextAsync("CPU");
            await Expect(card).ToContainTextAsync("compute");
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "compare.png"), FullPage = true });
    }

    [Fact]
    public async Task An_uploaded_drawn_or_pasted_image_is_compared_and_a_file_that_is_not_an_image_gets_a_clear_message()
    {
        var page = await OpenAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Upload" }).ClickAsync();

        var run = await RunNumberAsync(page);
        await page.Locator("[data-upload]").SetInputFilesAsync(RepositoryFiles.Path("data", "demo", "card-text", "images", "0001.png"));
        await WaitForRunAsync(page, run);
        await Expect(page.Locator(".qh-candidate[data-state='done']")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-ground-truth]")).ToHaveCountAsync(0);

        var notImage = Path.Combine(Path.GetTempPath(), $"not-an-image-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(notImage, "this is text, not pixels");
        await page.Locator("[data-upload]").SetInputFilesAsync(notImage);
        await Expect(page.Locator("[data-compare-message]")).ToContainTextAsync("not an image this browser can decode");
        File.Delete(notImage);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Draw" }).ClickAsync();
        await page.Locator("canvas.qh-canvas").WaitForAsync();
        var pad = await page.Locator("canvas.qh-canvas").BoundingBoxAsync();
        await page.Mouse.MoveAsync(pad!.X + 60, pad.Y + 40);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(pad.X + 220, pad.Y + 40, new() { Steps = 8 });
        await page.Mouse.MoveAsync(pad.X + 220, pad.Y + 240, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        run = await RunNumberAsync(page);
        await page.Locator("[data-compare-drawing]").ClickAsync();
        await WaitForRunAsync(page, run);
        await Expect(page.Locator(".qh-compare-input")).ToContainTextAsync("Drawing");

        run = await RunNumberAsync(page);
        await page.EvaluateAsync("""
            async () => {
              const png = await (await fetch(document.querySelector('[data-sample] img').src)).blob();
              const data = new DataTransfer();
              data.items.add(new File([png], 'pasted.png', { type: 'image/png' }));
              document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
            }
            """);
        await WaitForRunAsync(page, run);
        await Expect(page.Locator(".qh-compare-input")).ToContainTextAsync("Pasted image");
        await Expect(page.Locator(".qh-candidate[data-state='done']")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task A_batch_shows_agreement_and_accuracy_and_a_disagreement_opens_as_the_input()
    {
        var page = await OpenAsync();

        await page.Locator("[data-batch-run]").ClickAsync();

        var summary = page.Locator("[data-batch-summary]");
        await Expect(summary).ToBeVisibleAsync();
        await Expect(page.Locator("[data-batch-progress]")).ToContainTextAsync("100 / 100 samples");
        await Expect(page.Locator("[data-batch-agreement]")).ToContainTextAsync("%");
        await Expect(summary.Locator(".qh-plot .js-plotly-plot")).ToHaveCountAsync(1);
        var disagreement = summary.Locator("[data-disagreement]").First;
        var sampleId = await disagreement.GetAttributeAsync("data-disagreement");
        var run = await RunNumberAsync(page);
        await disagreement.ClickAsync();
        await WaitForRunAsync(page, run);
        await Expect(page.Locator(".qh-input-image")).ToHaveAttributeAsync("src", $"api/samples/{sampleId}/image");
        await Expect(page.Locator(".qh-candidate-disagrees").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "compare-batch.png"), FullPage = true });
    }

    [Fact]
    public async Task A_compared_sample_is_added_to_a_collection_that_is_then_a_dataset()
    {
        var page = await OpenAsync();
        var name = $"hard-cases-{Guid.NewGuid():N}"[..18];
        await page.Locator("[data-sample]").First.ClickAsync();
        await page.Locator(Done).WaitForAsync();

        await page.GetByText("Add to collection").ClickAsync();
        await page.GetByLabel("Collection name").FillAsync(name);
        await page.Locator("[data-add-to-collection]").ClickAsync();

        await Expect(page.GetByText($"Created collection '{name}' with this input.")).ToBeVisibleAsync();
        var datasets = await page.EvaluateAsync<JsonElement>("async () => (await fetch('api/datasets')).json()");
        var collection = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == name);
        Assert.Equal("Collection", collection.GetProperty("split").GetString());
        Assert.Equal(1, collection.GetProperty("samples").GetInt32());
        Assert.Equal("MIT", collection.GetProperty("licence").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_browser_that_leaves_mid_batch_leaves_no_work_running_and_a_50_MB_image_is_refused_on_the_page_uploaded_or_pasted()
    {
        // The recogniser takes seconds for its 400 lines, so a batch that kept running would still be counting.
        var page = await OpenAsync("card-text-recognizer");
        var big = Path.Combine(Path.GetTempPath(), $"big-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(big, new byte[50 * 1024 * 1024]);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Upload" }).ClickAsync();
        await page.Locator("[data-upload]").SetInputFilesAsync(big);
        await Expect(page.Locator("[data-compare-message]")).ToContainTextAsync("the limit is 20 MiB");
        File.Delete(big);
        await page.EvaluateAsync("""
            () => {
              const data = new DataTransfer();
              data.items.add(new File([new Uint8Array(50 * 1024 * 1024)], 'big.png', { type: 'image/png' }));
              document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
            }
            """);
        await Expect(page.GetByText("The pasted image is 50.0 MiB; the limit is 20 MiB.")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-compare-input")).ToHaveCountAsync(0);

        await page.GetByLabel("Samples in the batch").FillAsync("400");
        await page.GetByLabel("Samples in the batch").PressAsync("Tab");
        await page.Locator("[data-batch-run]").ClickAsync();
        await Expect(page.Locator("[data-batch-progress]")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]* / 400"));
        await page.CloseAsync();

        var observer = await fixture.NewPageAsync();
        await observer.GotoAsync($"{fixture.App.BaseUrl}/health");
        JsonElement engine = default;
        for (var i = 0; i < 30; i++)
        {
            engine = await observer.EvaluateAsync<JsonElement>("async () => (await fetch('api/engine')).json()");
            if (engine.GetProperty("activeCandidateRuns").GetInt32() == 0 && engine.GetProperty("queueDepth").GetInt32() == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(0, engine.GetProperty("activeCandidateRuns").GetInt32());
        Assert.Equal(0, engine.GetProperty("queueDepth").GetInt32());
        var items = engine.GetProperty("sessions").EnumerateArray().Sum(s => s.GetProperty("items").GetInt64());
        await Task.Delay(1000);
        var later = await observer.EvaluateAsync<JsonElement>("async () => (await fetch('api/engine')).json()");
        Assert.Equal(items, later.GetProperty("sessions").EnumerateArray().Sum(s => s.GetProperty("items").GetInt64()));
    }
}
