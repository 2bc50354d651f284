using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The Releases page on a fresh install: the demo history with real metrics, and a new draft.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReleasesPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_history_shows_the_change_between_releases_and_a_new_draft_appears_on_top()
    {
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1600);
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        await portal.NavigateByClickAsync("Releases");
        await page.GetByRole(AriaRole.Link, new() { Name = "History and new release" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Release history");
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);

        var table = page.GetByRole(AriaRole.Table, new() { Name = "Releases" });
        await Expect(table.Locator("tr[data-release='2026.10']")).ToContainTextAsync("fashion-mlp-v1");
        await Expect(table.Locator("tr[data-release='2026.10'] [data-verdict='real improvement in accuracy']")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-plot .main-svg").First).ToBeVisibleAsync();

        var name = $"rc-{Guid.NewGuid():N}"[..10];
        var form = page.GetByLabel("New release");
        await form.Locator("input[name=release-name]").FillAsync(name);
        await form.Locator("input[name=release-rationale]").FillAsync("browser test draft");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create draft" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Draft release {name} created." })).ToBeVisibleAsync();
        var row = table.Locator($"tr[data-release='{name}']");
        await Expect(row).ToContainTextAsync("draft");
        // Against the release made just before it: the demo's 2026.10, or one another test approved meanwhile.
        await Expect(row).ToContainTextAsync(new System.Text.RegularExpressions.Regex("unchanged since "));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "releases.png") });

        await form.Locator("input[name=release-name]").FillAsync(name);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create draft" }).ClickAsync();
        // Refused on the name field, and no second row.
        await Expect(FieldError(form, "input[name=release-name]")).ToContainTextAsync($"already a release named '{name}'");
        await Expect(form.Locator("input[name=release-name]")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(table.Locator($"tr[data-release='{name}']")).ToHaveCountAsync(1);
    }

    // MudBlazor writes a field's error under its input, in the same input control.
    private static ILocator FieldError(ILocator scope, string input) =>
        scope.Locator(".mud-input-control", new() { Has = scope.Page.Locator(input) }).Locator(".mud-input-helper-text");
}
