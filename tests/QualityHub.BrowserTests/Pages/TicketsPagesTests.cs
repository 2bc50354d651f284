using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>
/// VOC tickets in a real browser: filed from a Compare answer and from a gallery item, on the board, through the
/// workflow, reproduced on the candidates, into the regression set; the board updating live; script shown as text.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class TicketsPagesTests(BrowserFixture fixture) : IAsyncLifetime
{
    // Tickets a test made a blocker on a demo module: one left open by a failure would fail the release pages' tests too.
    private readonly List<int> blockers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>After each test: a blocker it left unsettled (it failed half-way) is moved to won't fix.</summary>
    public async Task DisposeAsync()
    {
        using var http = Http();
        foreach (var id in blockers)
        {
            var status = (await GetAsync($"/api/tickets/{id}")).GetProperty("status").GetString();
            if (status is "New" or "Triaged" or "Reproduced")
            {
                (await http.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "won't fix" })).EnsureSuccessStatusCode();
            }
        }
    }

    private HttpClient Http() => fixture.App.CreateHttpClient();

    private async Task<JsonElement> GetAsync(string path)
    {
        using var http = Http();
        return JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
    }

    private async Task<int> FileByApiAsync(object body)
    {
        using var http = Http();
        var response = await http.PostAsJsonAsync("/api/tickets", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static string Shot(string name) => Path.Combine(BrowserFixture.ScreenshotFolder, name);

    [GeneratedRegex(@"/tickets/(\d+)$")]
    private static partial Regex TicketUrl();

    [Fact]
    public async Task A_ticket_filed_from_a_compare_answer_goes_on_the_board_through_the_workflow_reproduce_and_the_regression_set()
    {
        var modules = await GetAsync("/api/modules");
        var fashion = modules.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "fashion-mnist-classifier").GetProperty("id").GetInt32();
        var models = (await GetAsync("/api/models")).EnumerateArray()
            .Where(m => m.GetProperty("moduleId").GetInt32() == fashion && m.GetProperty("name").GetString() is "fashion-mlp-v1" or "fashion-cnn-v1")
            .Select(m => (Id: m.GetProperty("id").GetInt32(), Name: m.GetProperty("name").GetString()!)).ToList();
        var demo = models.Select(m => m.Id).ToList();

        var page = await fixture.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, d) => dialogs.Add(d.Message);
        await page.GotoAsync($"compare?module={fashion}&versions={string.Join(',', demo)}");
        await page.Locator("[data-interactive='true'] [data-sample]").First.ClickAsync();
        await page.Locator(".qh-compare-input[data-complete='true']").WaitForAsync();
        var truth = await page.Locator("[data-ground-truth]").TextContentAsync();
        var card = page.Locator($".qh-candidate[data-candidate='{demo[0]}']");
        var answer = await card.Locator("[data-output]").TextContentAsync();

        // File a ticket: the form opens with the module, the version, the image, expected and actual.
        await card.Locator("[data-file-ticket]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/tickets/new\\?"));
        await Expect(page.Locator(".qh-ticket-form-layout[data-interactive='true']")).ToBeVisibleAsync();
        // The selects show the chosen module's and version's names (their ids are what the form sends).
        var form = page.GetByRole(AriaRole.Form, new() { Name = "New ticket" });
        await Expect(form.Locator("input[name='expectedOutput']")).ToHaveValueAsync(truth!);
        await Expect(form.Locator("input[name='actualOutput']")).ToHaveValueAsync(answer!);
        await Expect(form.Locator("input[name='moduleId']")).ToHaveValueAsync("fashion-mnist-classifier");
        await Expect(form.Locator("input[name='modelVersionId']")).ToHaveValueAsync(new Regex($"^{Regex.Escape(models[0].Name)} \\("));
        await Expect(form.Locator("input[name='channel']")).ToHaveValueAsync("compare");
        await Expect(page.Locator("img[data-input-image]")).ToBeVisibleAsync();
        Assert.True(await page.Locator("img[data-input-image]").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"));
        var title = $"Browser ticket {Guid.NewGuid():N}"[..28];
        await form.Locator("input[name='title']").FillAsync(title);
        await PortalPage.ChooseAsync(form, "severity", "high");
        await form.Locator("input[name='tags']").FillAsync("browser, shirts");
        await form.Locator("input[name='customerReference']").FillAsync("CASE-7731");
        await Expect(form.Locator("[data-filed-as]")).ToHaveTextAsync($"Filed as {AppProcess.AdminEmail}");
        await page.ScreenshotAsync(new() { Path = Shot("ticket-new-from-compare.png"), FullPage = true });
        await page.Locator("[data-file-ticket]").ClickAsync();

        await Expect(page).ToHaveURLAsync(TicketUrl());
        var id = int.Parse(TicketUrl().Match(page.Url).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        blockers.Add(id);
        var ticket = new TicketPage(page);
        await Expect(ticket.Heading).ToHaveTextAsync($"#{id} {title}");
        await Expect(ticket.Status).ToHaveTextAsync("new");
        await Expect(page.Locator("[data-reported-by]")).ToHaveTextAsync(AppProcess.AdminEmail);
        await Expect(page.Locator("[data-customer-reference]")).ToHaveTextAsync("CASE-7731");

        // On the board, in the New column.
        await page.GotoAsync("tickets");
        await Expect(page.Locator($"[data-column='New'] [data-ticket='{id}']")).ToContainTextAsync(title);
        await page.ScreenshotAsync(new() { Path = Shot("tickets-board.png"), FullPage = true });
        await page.Locator($"[data-ticket='{id}']").ClickAsync();

        // Through the workflow: triaged, reproduce on the candidates, mark reproduced.
        await ticket.OpenAsync(id);
        await Expect(page.Locator("[data-move]")).ToHaveCountAsync(2); // triaged or won't fix, nothing else
        await ticket.MoveToAsync("Triaged", "triaged");
        await page.GetByLabel("Assignee").FillAsync("uma");
        await PortalPage.ChooseAsync(ticket.Workflow, "severity", "blocker");
        await page.Locator("[data-save-ticket]").ClickAsync();
        await Expect(ticket.Message("Saved.")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-ticket-sub [data-severity]")).ToHaveTextAsync("blocker");
        await ticket.ReproduceAsync();
        await Expect(ticket.Candidates).ToHaveCountAsync(await page.Locator(".qh-candidate").CountAsync());
        Assert.True(await ticket.Candidates.CountAsync() >= 2);
        await Expect(page.Locator(".qh-candidate [data-output]")).ToHaveCountAsync(await ticket.Candidates.CountAsync());
        await Expect(page.Locator(".qh-candidate .mud-chip").Filter(new() { HasTextRegex = new Regex("^(right|wrong)$") })).ToHaveCountAsync(await ticket.Candidates.CountAsync());
        await page.ScreenshotAsync(new() { Path = Shot("ticket-reproduced.png"), FullPage = true });
        await page.Locator("[data-mark-reproduced]").ClickAsync();
        await Expect(ticket.Status).ToHaveTextAsync("reproduced");

        // Into the regression set, and evaluations on it.
        await page.Locator("[data-add-regression]").ClickAsync();
        await Expect(page.Locator("[data-regression]")).ToContainTextAsync("fashion-mnist-classifier regression");
        await page.Locator("[data-evaluate-regression]").ClickAsync();
        await Expect(page.Locator("[data-regression-run]").First).ToBeVisibleAsync();

        // Fixed in a release, then closed; every step is in the history.
        await ticket.ChooseFirstReleaseAsync();
        await ticket.MoveToAsync("Fixed", "fixed");
        await Expect(page.Locator("[data-fixed-in]")).ToBeVisibleAsync();
        await ticket.CloseAsync();
        await Expect(page.Locator("[data-move]")).ToHaveCountAsync(0);
        var actions = await ticket.History.Locator("td:nth-child(3)").AllTextContentsAsync();
        Assert.Equal(["created", "status", "severity", "assignee", "reproduce run", "status", "regression set", "status", "fixed in release", "status"], actions);
        Assert.All(await ticket.History.Locator("td:nth-child(2)").AllTextContentsAsync(), who => Assert.Equal(AppProcess.AdminEmail, who)); // the signed-in account, never typed
        await page.ScreenshotAsync(new() { Path = Shot("ticket-closed.png"), FullPage = true });

        var stored = await GetAsync($"/api/tickets/{id}");
        Assert.Equal(("Blocker", "uma", truth, answer), (stored.GetProperty("severity").GetString(), stored.GetProperty("assignee").GetString(), stored.GetProperty("expectedOutput").GetString(), stored.GetProperty("actualOutput").GetString()));
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task A_gallery_item_files_a_ticket_with_its_image_truth_and_the_runs_answer()
    {
        var run = (await GetAsync("/api/evaluations")).EnumerateArray()
            .Where(r => r.GetProperty("version").GetString() == "fashion-cnn-v1" && r.GetProperty("status").GetString() == "completed").Min(r => r.GetProperty("id").GetInt32());
        var item = (await GetAsync($"/api/evaluations/{run}/gallery?take=1")).GetProperty("items")[0];
        var sampleId = item.GetProperty("sampleId").GetInt64();

        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 1600);
        await page.GotoAsync($"evaluations/{run}/gallery?item={sampleId}");
        var panel = page.GetByRole(AriaRole.Complementary, new() { Name = "Sample details" });
        await Expect(panel).ToHaveAttributeAsync("data-sample-id", sampleId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The panel is in the prerendered page too; a click there, while the circuit starts, is lost with it.
        await Expect(page.Locator(".qh-gallery[data-interactive='true']")).ToHaveCountAsync(1);
        await panel.Locator("[data-file-ticket]").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/tickets/new\\?sampleId={sampleId}&runId={run}$"));
        await Expect(page.Locator(".qh-ticket-form-layout[data-interactive='true']")).ToBeVisibleAsync();
        await Expect(page.Locator("input[name='expectedOutput']")).ToHaveValueAsync(item.GetProperty("groundTruth").GetString()!);
        await Expect(page.Locator("input[name='actualOutput']")).ToHaveValueAsync(item.GetProperty("output").GetString()!);
        await Expect(page.Locator("input[name='channel']")).ToHaveValueAsync("gallery");
        await Expect(page.Locator("img[data-input-image]")).ToBeVisibleAsync();
        await page.Locator("[data-file-ticket]").ClickAsync();
        await Expect(page).ToHaveURLAsync(TicketUrl());
        await Expect(page.Locator("[data-expected]")).ToHaveTextAsync(item.GetProperty("groundTruth").GetString()!);
        await Expect(page.Locator("img.qh-ticket-image")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Shot("ticket-from-gallery.png"), FullPage = true });
    }

    [Fact]
    public async Task The_board_and_the_list_show_a_ticket_filed_elsewhere_without_a_reload()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("tickets");
        await Expect(page.Locator(".qh-board[data-live='true']")).ToBeVisibleAsync();
        var list = await fixture.NewPageAsync();
        await list.GotoAsync("tickets/list");
        await Expect(list.Locator("[data-total][data-live='true']")).ToBeVisibleAsync();

        var title = $"Live {Guid.NewGuid():N}"[..20];
        var id = await FileByApiAsync(new { title, severity = "blocker", channel = "production monitoring" });
        await Expect(page.Locator($"[data-column='New'] [data-ticket='{id}']")).ToContainTextAsync(title);
        await Expect(list.Locator($"[data-ticket='{id}']")).ToHaveTextAsync(title);
        await list.ScreenshotAsync(new() { Path = Shot("tickets-list.png"), FullPage = true });

        using var http = Http();
        (await http.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "triaged" })).EnsureSuccessStatusCode();
        await Expect(page.Locator($"[data-column='Triaged'] [data-ticket='{id}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-column='New'] [data-ticket='{id}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Script_and_markup_in_ticket_text_are_shown_as_text_and_never_run()
    {
        const string script = "<script>alert(1)</script>";
        const string img = "<img src=x onerror=alert(2)>";
        var id = await FileByApiAsync(new { title = script, description = $"Customer wrote: {img}", expectedOutput = img, customerReference = script, tags = new[] { "<b>x</b>" } });
        using (var http = Http())
        {
            (await http.PostAsJsonAsync($"/api/tickets/{id}/comments", new { text = img })).EnsureSuccessStatusCode();
        }

        var page = await fixture.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, d) =>
        {
            dialogs.Add(d.Message);
            await d.DismissAsync();
        };
        var ticket = new TicketPage(page);
        await ticket.OpenAsync(id);
        await Expect(ticket.Heading).ToHaveTextAsync($"#{id} {script}");
        await Expect(page.Locator("[data-description]")).ToHaveTextAsync($"Customer wrote: {img}");
        await Expect(page.Locator("[data-expected]")).ToHaveTextAsync(img);
        await Expect(page.Locator("[data-customer-reference]")).ToHaveTextAsync(script);
        await Expect(page.Locator(".qh-ticket-comment-text")).ToHaveTextAsync(img);
        await Expect(page.Locator("main img[src='x']")).ToHaveCountAsync(0);
        await Expect(page.Locator("main b")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Shot("ticket-script-as-text.png"), FullPage = true });

        await page.GotoAsync("tickets");
        await Expect(page.Locator($"[data-ticket='{id}']")).ToContainTextAsync(script);
        await page.GotoAsync("tickets/list?q=alert");
        await Expect(page.Locator($"a[data-ticket='{id}']")).ToHaveTextAsync(script);
        await new PortalPage(page).OpenOverviewAsync(); // interactive once its chart is drawn: the panel is no longer replaced
        await Expect(page.Locator("[data-count-by='tag'][data-key='<b>x</b>']")).ToBeVisibleAsync();
        await page.Locator(".qh-ticket-counts").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Shot("overview-ticket-counts.png") });

        // Give a handler that would fire late (an image error, a deferred script) the time to do so.
        await page.WaitForTimeoutAsync(500);
        Assert.Empty(dialogs);
    }
}
