using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>The Requirements page: a planner writes a module's first requirement, the scorecard checks the demo's candidates, the capacity planner answers.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RequirementsPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_planner_writes_a_requirement_and_sees_each_candidate_pass_or_fail_it_then_plans_capacity()
    {
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1800);
        var portal = new PortalPage(page);
        await portal.OpenOverviewAsync();
        await portal.NavigateByClickAsync("Requirements");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Modules" }).GetByRole(AriaRole.Link, new() { Name = "fashion-mnist-classifier" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/requirements/\\d+$"));
        await Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);

        var form = page.GetByLabel("New requirement version");
        await form.Locator("input[name=offline-p95]").FillAsync("1000");
        await PortalPage.ChooseAsync(form, "accuracy-metric", "Accuracy");
        await form.Locator("input[name=accuracy-threshold]").FillAsync("0.9");
        await PortalPage.ChooseAsync(form, "accuracy-dataset", "fashion-mnist-test-2000");
        await form.Locator("textarea[name=rationale]").FillAsync("Shop search <b>must</b> not mislabel more than one in ten.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save version 1" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved version 1 of the fashion-mnist-classifier requirement." })).ToBeVisibleAsync();
        var scorecard = page.GetByRole(AriaRole.Table, new() { Name = "Scorecard" });
        var accuracy = scorecard.Locator("tr").Filter(new() { Has = page.GetByRole(AriaRole.Rowheader).Filter(new() { HasText = "Accuracy" }) });
        // Columns: the MLP (89.50 %) then the CNN (91.25 %); the retired linear classifier is not a candidate.
        await Expect(accuracy.Locator("td[data-outcome]")).ToHaveCountAsync(2);
        await Expect(accuracy.Locator("td[data-outcome]").Nth(0)).ToHaveAttributeAsync("data-outcome", "Fail");
        await Expect(accuracy.Locator("td[data-outcome]").Nth(1)).ToHaveAttributeAsync("data-outcome", "Pass");
        await Expect(accuracy.Locator("td[data-outcome]").Nth(1)).ToContainTextAsync("0.9125");
        var history = page.GetByRole(AriaRole.Table, new() { Name = "Requirement versions" });
        await Expect(history.Locator("tr[data-version='1']")).ToContainTextAsync("Shop search <b>must</b> not mislabel");

        // Saved from the page's circuit: the audit log names the signed-in person.
        using (var http = fixture.App.CreateHttpClient())
        {
            var audit = await http.GetStringAsync("/api/admin/audit?take=200");
            Assert.Matches($"\"actor\":\"{System.Text.RegularExpressions.Regex.Escape(AppProcess.AdminEmail)}\",\"action\":\"added Requirement\"", audit);
        }

        // A change of an impossible target is refused by field, and nothing is stored.
        await form.Locator("input[name=offline-p95]").FillAsync("-5");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save version 2" }).ClickAsync();
        var offline = form.Locator(".mud-input-control").Filter(new() { Has = page.Locator("input[name=offline-p95]") });
        await Expect(offline).ToContainTextAsync("positive number of milliseconds");
        await Expect(form.Locator(".mud-input-control").Filter(new() { Has = page.Locator("input[name=target-qps]") })).Not.ToContainTextAsync("milliseconds");
        await Expect(history.Locator("tr[data-version]")).ToHaveCountAsync(1);

        var planner = page.GetByLabel("Capacity planner");
        // It starts from what a candidate's run measured (a session's memory, one input at a time, the device), not from a made-up figure.
        await Expect(planner.Locator("[data-capacity-measured]")).ToContainTextAsync("a session takes");
        await Expect(planner.Locator("[data-capacity-what-if]")).ToHaveCountAsync(0);
        await Expect(planner.Locator("tr[data-what-if]")).ToHaveCountAsync(4);
        await planner.Locator("input[name=capacity-device]").FillAsync("10");
        await planner.Locator("input[name=capacity-model]").FillAsync("5");
        await planner.Locator("input[name=capacity-model]").PressAsync("Tab");
        await Expect(planner.Locator("[data-field=instances]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^2( fit|$)"));
        await planner.Locator("input[name=capacity-model]").FillAsync("6");
        await planner.Locator("input[name=capacity-model]").PressAsync("Tab");
        await Expect(planner.Locator("[data-field=instances]")).ToHaveTextAsync("1");
        // The requirement states no QPS: devices come once a target is given.
        await Expect(planner.Locator("[data-field=devices]")).ToHaveTextAsync("—");
        await planner.Locator("input[name=capacity-target]").FillAsync("20000");
        await planner.Locator("input[name=capacity-target]").PressAsync("Tab");
        await Expect(planner.Locator("[data-field=devices]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9,]*$"));
        // Both values go beyond what was measured, and the planner says so.
        await Expect(planner.Locator("[data-capacity-what-if]")).ToHaveCountAsync(2);
        await Expect(planner.Locator(".qh-plot .main-svg").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "requirements.png"), FullPage = true });
    }
}
