using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>
/// The Online page on a fresh install (the synthetic demo stream), its live update when events are posted, the hub
/// through the browser client, and the Overview's alert with its ticket link.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OnlinePageTests(BrowserFixture fixture)
{
    private const string CardText = "card-text-recognizer";

    [Fact]
    public async Task The_charts_show_the_demo_stream_and_follow_posted_events_live_also_over_the_hub()
    {
        using var http = await fixture.DemoEventsAsync();
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1700);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        // 30 days holds the whole 7-day demo stream, so the count only moves with new events.
        await page.GotoAsync($"/online?module={CardText}&range=30d");
        var online = page.Locator(".qh-online[data-interactive='true']");
        await Expect(online).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-demo-notice")).ToContainTextAsync("Synthetic demo events, not production data");
        await Expect(online).ToHaveAttributeAsync("data-resolution", "hour");
        await Expect(page.Locator(".qh-plot .svg-container")).ToHaveCountAsync(3); // three charts drawn
        await Expect(page.Locator(".qh-plot").Nth(1).Locator(".scatterlayer .trace")).ToHaveCountAsync(12); // 2 releases × online and offline p50/p95/p99
        await Expect(page.Locator(".qh-plot").First.Locator(".annotation-text")).ToHaveTextAsync(["2026.09 begins", "2026.10 begins"]); // release markers

        var table = page.GetByRole(AriaRole.Table, new() { Name = "Online metrics per release" });
        var october = table.Locator("tr[data-release='2026.10']");
        await Expect(october.Locator("a[href^='evaluations/']")).ToContainTextAsync("ms"); // the offline run's percentiles
        var before = long.Parse((await online.GetAttributeAsync("data-online-events"))!);
        var rowBefore = long.Parse((await october.Locator(".qh-online-count").InnerTextAsync()).Replace(",", ""));

        // The hub, from the browser client the build copies into wwwroot/lib.
        await page.AddScriptTagAsync(new() { Url = "lib/signalr.min.js" });
        await page.EvaluateAsync("""
            async () => {
              window.qhHub = [];
              const connection = new signalR.HubConnectionBuilder().withUrl('hubs/quality').build();
              connection.on('onlineAggregates', message => window.qhHub.push(message));
              await connection.start();
            }
            """);

        var now = DateTimeOffset.UtcNow.AddSeconds(-20);
        var events = Enumerable.Range(0, 40).Select(i => new
        {
            eventId = $"browser-{Guid.NewGuid():N}",
            release = "2026.10",
            module = CardText,
            timestamp = now,
            latencyMs = 60.0 + i,
            predicted = "4111 1111 1111 1111",
            corrected = i < 4,
            correctedValue = i < 4 ? "4111 1111 1111 1112" : null,
        });
        var posted = await http.PostAsJsonAsync("/api/events", events);
        posted.EnsureSuccessStatusCode();

        await Expect(online).ToHaveAttributeAsync("data-online-events", (before + 40).ToString());
        await Expect(october.Locator(".qh-online-count")).ToHaveTextAsync((rowBefore + 40).ToString("N0"));
        await page.WaitForFunctionAsync("() => window.qhHub.some(m => m.accepted === 40)");
        var minutes = await page.EvaluateAsync<JsonElement>("() => window.qhHub.find(m => m.accepted === 40).minutes");
        Assert.Contains(minutes.EnumerateArray(), m => m.GetProperty("count").GetInt64() >= 40);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "online.png"), FullPage = true });

        // Per minute over the last hour, with the demo's latency incident.
        await page.GetByLabel("Time range").GetByText("1h", new() { Exact = true }).ClickAsync();
        await Expect(online).ToHaveAttributeAsync("data-resolution", "minute");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("range=1h"));
        await Expect(page.Locator(".qh-plot .svg-container")).ToHaveCountAsync(3);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "online-1h.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_overview_flags_the_demo_latency_incident_with_a_link_that_opens_a_ticket()
    {
        using var http = await fixture.DemoEventsAsync();
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1000);
        await new PortalPage(page).OpenOverviewAsync();

        var alert = page.Locator($".qh-online-alert[data-module='{CardText}'][data-metric='p95 latency']");
        await Expect(alert).ToContainTextAsync("2026.10");
        var link = alert.GetByRole(AriaRole.Link, new() { Name = "Open a ticket" });
        var href = await link.GetAttributeAsync("href");
        Assert.StartsWith("tickets/new?moduleId=", href);
        Assert.EndsWith("&severity=High", href);
        Assert.Contains("title=Online%20p95%20latency%20over%20threshold", href);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overview-online-alert.png") });

        await link.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/tickets/new\\?moduleId=\\d+&title=.+&description=.+&severity=High$"));
    }
}
