using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>
/// The quality manager's journey: the Overview's summary, the release board's CNN against production, a draft made
/// from the board with the CNN picked, its checklist, and the approval.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReleaseBoardPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task From_the_board_a_candidate_becomes_a_draft_then_an_approved_release()
    {
        // Another test may have approved the CNN already, superseding the MLP: a superseded version is a candidate
        // again once someone says so, so the board has one to draft from whatever ran before.
        using (var http = fixture.App.CreateHttpClient())
        {
            foreach (var version in (await http.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray()
                         .Where(v => v.GetProperty("module").GetString() == "fashion-mnist-classifier" && v.GetProperty("status").GetString() == "Superseded"))
            {
                var changed = await http.PutAsJsonAsync($"/api/models/{version.GetProperty("id").GetInt32()}/status", new { status = "Candidate" });
                Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
            }
        }

        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1440, 1400);
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        var summary = page.GetByLabel("Release board summary");
        await Expect(summary.Locator("li[data-module='fashion-mnist-classifier']")).ToContainTextAsync("fashion-cnn-v1");

        await portal.NavigateByClickAsync("Releases");
        await Expect(page.Locator(".qh-board-page[data-interactive='true']")).ToHaveCountAsync(1);
        var fashion = page.GetByLabel("fashion-mnist-classifier", new() { Exact = true });
        var cnn = fashion.Locator("tr.qh-board-candidate[data-version='fashion-cnn-v1']");
        // Against the MLP in production, or against the CNN itself once another test has made it current.
        var production = await fashion.Locator("tr.qh-board-production").GetAttributeAsync("data-version");
        if (production == "fashion-mlp-v1")
        {
            await Expect(cnn.Locator("[data-delta]")).ToContainTextAsync("+1.75 pp");
            await Expect(cnn.Locator("[data-delta]")).ToContainTextAsync("real improvement in accuracy");
            await Expect(cnn.Locator("a.qh-regressions")).ToHaveTextAsync("49");
        }

        await Expect(fashion.Locator("tr[data-version='fashion-cnn-v1']").First).ToContainTextAsync("CI");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "release-board.png"), FullPage = true });

        var draftButton = fashion.Locator("[data-draft]").First;
        var candidate = await draftButton.GetAttributeAsync("data-draft");
        await draftButton.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Release history");
        await Expect(page.Locator(".qh-releases[data-interactive='true']")).ToHaveCountAsync(1);
        var form = page.GetByLabel("New release");
        await Expect(form.Locator("input[aria-label='Version of fashion-mnist-classifier']")).ToHaveValueAsync(candidate!);
        var name = $"board-{Guid.NewGuid():N}"[..12];
        await form.Locator("input[name=release-name]").FillAsync(name);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create draft" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Draft release {name} created." })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Table, new() { Name = "Releases" }).Locator($"tr[data-release='{name}']").GetByRole(AriaRole.Link, new() { Name = "review and approve" }).ClickAsync();
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);
        var checklist = page.GetByRole(AriaRole.Table, new() { Name = "Requirements checklist" });
        await Expect(checklist.Locator("tr[data-requirement]").First).ToBeVisibleAsync();
        var open = checklist.Locator("tr[data-settled='false']");
        for (var i = await open.CountAsync(); i > 0; i--)
        {
            var row = open.First;
            await row.Locator("input").FillAsync("Accepted from the release board for the browser test.");
            await row.Locator("input").PressAsync("Tab");
            await Expect(open).ToHaveCountAsync(i - 1);
        }

        await page.GetByText($"I, {AppProcess.AdminEmail}, sign off this release").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and make current" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "release-board-approve.png"), FullPage = true });
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Release {name} is now current." })).ToBeVisibleAsync();

        // The board now shows the approved candidate in production.
        await page.GotoAsync("/releases");
        await Expect(page.GetByLabel("fashion-mnist-classifier", new() { Exact = true }).Locator("tr.qh-board-production")).ToHaveAttributeAsync("data-version", candidate!);
    }
}
