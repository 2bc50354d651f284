using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The quality manager reviews a draft's checklist, waives what is not met with reasons, signs off, and the release becomes current.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReleaseDecisionPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_quality_manager_waives_open_items_signs_off_and_the_release_goes_to_production()
    {
        using var http = fixture.App.CreateHttpClient();
        var versions = (await http.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("id").GetInt32());
        var name = $"qm-{Guid.NewGuid():N}"[..9];
        var created = await http.PostAsJsonAsync("/api/releases", new { name, rationale = "CNN in the shop", modelVersionIds = new[] { versions["fashion-cnn-v1"], versions["pp-ocrv4-rec"] } });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1400);
        await page.GotoAsync($"/releases/{id}");
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);
        var checklist = page.GetByRole(AriaRole.Table, new() { Name = "Requirements checklist" });
        await Expect(checklist.Locator("tr[data-requirement='Open blocker tickets'][data-settled='true']")).ToHaveCountAsync(2);

        // Approving with open items is refused, and says which.
        await page.GetByText($"I, {AppProcess.AdminEmail}, sign off this release").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and make current" }).ClickAsync();
        await ConfirmAsync(page, name);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "cannot be approved yet" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-status='Draft']")).ToBeVisibleAsync();

        // Every open, waivable item gets a reason; then the approval goes through.
        var open = checklist.Locator("tr[data-settled='false']");
        var keys = new List<(string Module, string Requirement)>();
        for (var i = 0; i < await open.CountAsync(); i++)
        {
            keys.Add((await open.Nth(i).GetAttributeAsync("data-module") ?? "", await open.Nth(i).GetAttributeAsync("data-requirement") ?? ""));
        }

        Assert.NotEmpty(keys);
        foreach (var (module, requirement) in keys)
        {
            var row = checklist.Locator($"tr[data-module='{module}'][data-requirement='{requirement}']");
            await row.Locator("input").FillAsync("Accepted for the December release: <script>alert(1)</script>");
            await row.Locator("input").PressAsync("Tab");
            await Expect(row).ToHaveAttributeAsync("data-settled", "true");
        }

        await Expect(page.Locator("[data-ready='true']")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and make current" }).ClickAsync();
        await ConfirmAsync(page, name);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Release {name} is now current." })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-status='Current']")).ToBeVisibleAsync();
        var notes = page.GetByLabel("Release notes");
        await Expect(notes).ToContainTextAsync($"Approved by {AppProcess.AdminEmail}");
        await Expect(notes).ToContainTextAsync("<script>alert(1)</script>");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "release-decision.png"), FullPage = true });

        await page.GotoAsync("/releases/history");
        var production = page.GetByRole(AriaRole.Table, new() { Name = "Production history" });
        await Expect(production.Locator($"tr[data-release='{name}']")).ToHaveCountAsync(2);
        await Expect(production.Locator($"tr[data-release='{name}'][data-module='fashion-mnist-classifier']")).ToContainTextAsync("now");
        await Expect(production.Locator("tr[data-release='2026.10'][data-module='fashion-mnist-classifier']")).Not.ToContainTextAsync("now");
    }

    // Approving is asked once more in a dialog naming the release.
    private static async Task ConfirmAsync(IPage page, string release)
    {
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Approve release {release}?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
    }
}
