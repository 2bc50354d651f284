using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The Drift page on a fresh install: the demo's drift episode drawn, a descriptor's distribution on request, a retraining request from an alert.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DriftPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_episode_is_charted_a_distribution_follows_the_chosen_descriptor_and_an_alert_becomes_a_retraining_request()
    {
        using var http = await fixture.DemoEventsAsync();
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1800);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        await page.GotoAsync("/drift?module=fashion-mnist-classifier&range=7d");
        var drift = page.Locator(".qh-drift[data-release='2026.10']");
        await Expect(drift).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-drift-alert[data-descriptor='brightness']")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-plot .svg-container")).ToHaveCountAsync(3); // drift over time, the distribution, the data rules' violations
        await Expect(page.Locator(".qh-plot").First.Locator(".scatterlayer .trace")).ToHaveCountAsync(7); // a PSI line per descriptor

        // The data rules: the stretch of events without sharpness breaks its rule, charted; the ranges drawn from the test set hold.
        await Expect(page.Locator(".qh-violations tr[data-rule='missing:blur'][data-status='alert']")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-data-rules .qh-plot .scatterlayer .trace")).Not.ToHaveCountAsync(0);

        // The predicted labels' distribution, from the table's button.
        await page.Locator(".qh-drift-table tr[data-descriptor='label'] .qh-show-distribution").ClickAsync();
        await Expect(page.Locator(".qh-drift-distribution[data-descriptor='label']")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-drift-distribution .xtick")).ToHaveCountAsync(10); // ten Fashion-MNIST classes

        await page.Locator(".qh-drift-alert[data-descriptor='brightness'] .qh-request-retraining").ClickAsync();
        var request = page.Locator(".qh-retraining-table tr[data-request]").First;
        await Expect(request).ToContainTextAsync("Brightness drifted");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "drift.png"), FullPage = true });

        var download = await page.RunAndWaitForDownloadAsync(() => request.Locator(".qh-retraining-slice").ClickAsync());
        var lines = File.ReadAllLines(await download.PathAsync());
        Assert.True(lines.Length > 1000, $"the slice holds {lines.Length} events");
        Assert.Contains("\"brightness\":", lines[0]);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_overview_names_the_drifting_module_and_leads_to_its_drift_page()
    {
        using var http = await fixture.DemoEventsAsync();
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        var alerts = page.Locator(".qh-drift-alerts");
        // Other tests' card-text events arrive without descriptors, so that module may alert too (on its missing-share rules).
        var fashion = alerts.Locator(".qh-drift-overview-alert[data-module='fashion-mnist-classifier']");
        await Expect(fashion.And(page.Locator("[data-descriptor='brightness']")).First).ToBeVisibleAsync();
        await Expect(fashion.And(page.Locator("[data-descriptor='blur']")).First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "overview-drift-alerts.png"), FullPage = true });

        await alerts.Locator(".qh-drift-page-link[data-module='fashion-mnist-classifier']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/drift\\?module=fashion-mnist-classifier&release=2026\\.10&range=7d$"));
        await Expect(page.Locator(".qh-drift[data-release='2026.10']")).ToBeVisibleAsync();
    }
}
