using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

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
    public async Task A_model_is_uploaded_from_the_Models_page_with_progress_and_a_bad_file_gets_a_clear_refusal()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        await portal.NavigateByClickAsync("Models");
        var panel = page.GetByLabel("Register a model");
        var version = $"uploaded-{Guid.NewGuid():N}"[..20];

        await PortalPage.ChooseAsync(panel, "module", "card-text-recognizer");
        await panel.Locator("input[name=version]").FillAsync(version);
        await panel.Locator("input[type=file]").SetInputFilesAsync(RepositoryFiles.Path("data", "bench", "cnn-fashion-sized.onnx"));
        await panel.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Registered card-text-recognizer/{version}" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = version })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "upload.png"), FullPage = true });

        var notOnnx = Path.GetTempFileName();
        await File.WriteAllTextAsync(notOnnx, "definitely not a model");
        await panel.Locator("input[name=version]").FillAsync("broken");
        await panel.Locator("input[type=file]").SetInputFilesAsync(notOnnx);
        await panel.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        // The refusal is about the file, so it shows on the file field.
        await Expect(panel.GetByLabel("ONNX file")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("not an ONNX model"));
        await Expect(panel.GetByLabel("ONNX file")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "broken", Exact = true })).ToHaveCountAsync(0);
        File.Delete(notOnnx);
    }

    [Fact]
    public async Task A_card_edit_that_cannot_work_is_refused_with_the_reason_and_the_card_stays()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        await portal.NavigateByClickAsync("Models");
        await page.GetByRole(AriaRole.Link, new() { Name = "fashion-linear-v1" }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm or edit the card" }).ClickAsync();
        await page.GetByLabel("Model card JSON").FillAsync("{ \"task\": \"image-classification\", \"input\": { \"width\": 28, \"height\": 28, \"channels\": 2 } }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save card" }).ClickAsync();

        // The refusal shows on the card editor, which keeps what was typed.
        var editor = page.GetByLabel("Model card JSON", new() { Exact = true });
        await Expect(FieldError(editor)).ToContainTextAsync("input.channels must be 1 or 3");
        await Expect(editor).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(editor).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"channels\": 2"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        var card = page.GetByRole(AriaRole.Table, new() { Name = "Model card" });
        await Expect(card).ToContainTextAsync("T-shirt/top");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the JSON" }).ClickAsync();
        await Expect(page.GetByLabel("Model card JSON as stored")).ToContainTextAsync("\"labels\"");
    }

    [Fact]
    public async Task A_model_version_shows_what_its_file_declares_and_its_card()
    {
        var page = await fixture.NewPageAsync();
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();

        await portal.NavigateByClickAsync("Models");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "card-text-recognizer" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "pp-ocrv4-rec", Exact = true }).ClickAsync();

        await Expect(portal.Heading).ToHaveTextAsync("card-text-recognizer / pp-ocrv4-rec");
        await Expect(page.GetByText("softmax_11.tmp_0").First).ToBeVisibleAsync();
        var card = page.GetByRole(AriaRole.Table, new() { Name = "Model card" });
        await Expect(card.GetByRole(AriaRole.Row, new() { Name = "Task text-recognition" })).ToBeVisibleAsync();
        await Expect(card.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ctc · blank index" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "model.png") });
    }

    // MudBlazor writes a field's error under its input, in the same input control.
    private static ILocator FieldError(ILocator input) =>
        input.Page.Locator(".mud-input-control", new() { Has = input }).Locator(".mud-input-helper-text");
}
