using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>A lost circuit: the reconnect dialog shows while the server cannot be reached, and the page works again after.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_lost_connection_shows_the_reconnect_dialog_and_the_page_works_again_once_it_is_back()
    {
        var page = await fixture.NewPageAsync();
        // Keep hold of the circuit's sockets, so the test can cut them as a dropped network would.
        await page.AddInitScriptAsync("""
            (() => {
              const Native = window.WebSocket;
              window.qhSockets = [];
              window.WebSocket = class extends Native {
                constructor(...args) { super(...args); window.qhSockets.push(this); }
              };
            })();
            """);
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        var dialog = page.Locator("#components-reconnect-modal");
        await Expect(dialog).Not.ToBeVisibleAsync();

        // While "offline", every way back to the server fails.
        await page.RouteAsync("**/_blazor**", route => route.AbortAsync("internetdisconnected"));
        await page.EvaluateAsync("() => window.qhSockets.forEach(s => s.close())");

        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Heading, new() { Name = "Connection to the server lost" })).ToBeVisibleAsync();
        await Expect(dialog.Locator(".qh-reconnect-retrying")).ToContainTextAsync("Reconnecting: attempt");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "reconnect.png") });

        await page.UnrouteAllAsync();

        // Back: the dialog goes by itself and a click is handled by the same circuit again.
        await Expect(dialog).Not.ToBeVisibleAsync(new() { Timeout = 60_000 });
        await portal.NavigateByClickAsync("Datasets");
        await portal.NavigateByClickAsync("Overview");
        await Expect(portal.Chart).ToBeVisibleAsync();
    }
}
