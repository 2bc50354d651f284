using System.Net.Http.Json;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Demo;
using QualityHub.Web.Features.Tickets;

namespace QualityHub.Web.Tests.Features.Tickets;

/// <summary>
/// The ticket pages over the evaluated demo: a refusal shows on the field it names, outcomes come as snackbars, the end
/// of the workflow is confirmed first, a prefilled form names its choices, and the list is ordered on the server.
/// </summary>
public sealed class TicketPagesTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    protected override bool StartsAfterDemoRuns => true;

    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private TicketService Tickets => Factory.Services.GetRequiredService<TicketService>();

    private async Task<TicketDetail> FileAsync(string title) =>
        await Tickets.CreateAsync(new TicketDraft { Title = title, Severity = "low", Tags = ["bunit"] }, "qm@test");

    /// <summary>The text around an input: its label, value and helper or error text.</summary>
    private static string FieldText<T>(IRenderedComponent<T> page, string name)
        where T : IComponent =>
        page.Find($"input[name='{name}'], textarea[name='{name}']").Closest(".mud-input-control")!.TextContent;

    [Fact]
    public async Task A_refused_tag_list_shows_the_refusal_on_the_tags_field_and_changes_nothing()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var ticket = await FileAsync("Too many tags");
        var page = Render<TicketDetailPage>(p => p.Add(c => c.Id, ticket.Id));
        page.WaitForElement("input[name='tags']", Slow);

        page.Find("input[name='tags']").Change(string.Join(", ", Enumerable.Range(1, TicketLimits.Tags + 1).Select(i => $"t{i}")));
        page.Find("[data-save-ticket]").Click();

        page.WaitForAssertion(() => Assert.Contains($"at most {TicketLimits.Tags} tags", FieldText(page, "tags")), Slow);
        Assert.DoesNotContain("tags", FieldText(page, "assignee"));
        Assert.Empty(snackbars.FindAll("[data-ticket-message]"));
        Assert.Equal(["bunit"], (await Tickets.GetAsync(ticket.Id))!.Tags);

        // Changing the value takes the refusal away.
        page.Find("input[name='tags']").Change("bunit, fixed");
        page.WaitForAssertion(() => Assert.DoesNotContain("at most", FieldText(page, "tags")), Slow);
    }

    [Fact]
    public async Task Saving_says_so_in_a_snackbar_and_the_ticket_shows_the_new_severity()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var ticket = await FileAsync("Saved by bUnit");
        var page = Render<TicketDetailPage>(p => p.Add(c => c.Id, ticket.Id));
        page.WaitForElement("input[name='assignee']", Slow);

        await page.InvokeAsync(() => page.FindComponents<MudSelect<TicketSeverity>>().Single().Instance.ValueChanged.InvokeAsync(TicketSeverity.Blocker));
        page.Find("input[name='assignee']").Change("uma");
        page.Find("[data-save-ticket]").Click();

        snackbars.WaitForAssertion(() => Assert.Equal("Saved.", snackbars.Find("[data-ticket-message='done']").TextContent), Slow);
        page.WaitForAssertion(() => Assert.Equal("blocker", page.Find(".qh-ticket-sub [data-severity]").TextContent), Slow);
        Assert.Equal(("uma", TicketSeverity.Blocker), ((await Tickets.GetAsync(ticket.Id))!.Assignee, (await Tickets.GetAsync(ticket.Id))!.Severity));
        Assert.All((await Tickets.GetAsync(ticket.Id))!.History.Where(e => e.Action != "created"), e => Assert.Equal("someone@test", e.Author));
    }

    [Fact]
    public async Task Closing_asks_first_and_a_cancel_leaves_the_ticket_where_it_was()
    {
        SignInAs(QualityHubRoles.Modeler);
        var dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var ticket = await FileAsync("Asked before the end");
        var release = (await Tickets.GetChoicesAsync()).Releases[0].Id;
        foreach (var step in new[] { TicketStatus.Triaged, TicketStatus.Reproduced, TicketStatus.Fixed })
        {
            await Tickets.MoveAsync(ticket.Id, new TicketMove(step.ToString(), step == TicketStatus.Fixed ? release : null), "bunit@test");
        }

        var page = Render<TicketDetailPage>(p => p.Add(c => c.Id, ticket.Id));
        page.WaitForElement("[data-move='Closed']", Slow);

        page.Find("[data-move='Closed']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("cannot be reopened", dialogs.Markup), Slow);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        dialogs.WaitForAssertion(() => Assert.DoesNotContain("cannot be reopened", dialogs.Markup), Slow);
        Assert.Equal(TicketStatus.Fixed, (await Tickets.GetAsync(ticket.Id))!.Status);

        page.Find("[data-move='Closed']").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Move to closed").Click(), Slow);
        page.WaitForAssertion(() => Assert.Equal("closed", page.Find(".qh-ticket-sub [data-status]").TextContent), Slow);
        Assert.Empty(page.FindAll("[data-move]"));
    }

    [Fact]
    public async Task A_move_that_can_be_taken_back_happens_without_asking()
    {
        SignInAs(QualityHubRoles.Modeler);
        var dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var ticket = await FileAsync("Won't fix at once");
        var page = Render<TicketDetailPage>(p => p.Add(c => c.Id, ticket.Id));
        page.WaitForElement("[data-move='WontFix']", Slow);

        page.Find("[data-move='WontFix']").Click();

        page.WaitForAssertion(() => Assert.Equal("won't fix", page.Find(".qh-ticket-sub [data-status]").TextContent), Slow);
        Assert.DoesNotContain("mud-dialog", dialogs.Markup);
    }

    [Fact]
    public void A_missing_ticket_says_so()
    {
        SignInAs(QualityHubRoles.Viewer);

        var page = Render<TicketDetailPage>(p => p.Add(c => c.Id, 987654));

        page.WaitForAssertion(() => Assert.Contains("There is no ticket 987654.", page.Find("[role='alert']").TextContent), Slow);
    }

    [Fact]
    public async Task Another_ticket_in_the_same_page_starts_its_own_form()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var first = await FileAsync("First of two");
        var second = await Tickets.CreateAsync(new TicketDraft { Title = "Second of two", Assignee = "ida" }, "qm@test");
        var page = Render<TicketDetailPage>(p => p.Add(c => c.Id, first.Id));
        page.WaitForElement("input[name='assignee']", Slow);
        page.Find("input[name='assignee']").Change("not saved");

        page.Render(p => p.Add(c => c.Id, second.Id));

        page.WaitForAssertion(() => Assert.Equal($"#{second.Id} Second of two", page.Find("h1").TextContent), Slow);
        Assert.Equal("ida", page.Find("input[name='assignee']").GetAttribute("value"));
    }

    [Fact]
    public void A_ticket_filed_without_a_title_is_refused_on_the_title_field_and_the_page_stays()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("tickets/new");
        var page = Render<NewTicketPage>();
        page.WaitForElement("input[name='title']", Slow);

        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Contains("title is required.", FieldText(page, "title")), Slow);
        Assert.EndsWith("tickets/new", navigation.Uri);
        Assert.DoesNotContain("title is required", snackbars.Markup);

        page.Find("input[name='title']").Change("Now it has one");
        page.WaitForAssertion(() => Assert.DoesNotContain("required", FieldText(page, "title")), Slow);
    }

    [Fact]
    public async Task A_prefilled_form_names_its_module_and_version_and_filing_opens_the_ticket()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var choices = await Tickets.GetChoicesAsync();
        var fashion = choices.Modules.Single(m => m.Name == DemoContentLoader.FashionModule);
        var version = choices.Versions.First(v => v.ModuleId == fashion.Id);
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"tickets/new?modelVersionId={version.Id}&expected=Shirt&actual=T-shirt&title=Shirts+read+as+T-shirts&channel=compare");

        var page = Render<NewTicketPage>();

        page.WaitForAssertion(() => Assert.Equal(fashion.Name, page.Find("input[name='moduleId']").GetAttribute("value")), Slow);
        Assert.StartsWith(version.Name, page.Find("input[name='modelVersionId']").GetAttribute("value"));
        Assert.Equal("Shirt", page.Find("input[name='expectedOutput']").GetAttribute("value"));
        Assert.Equal("compare", page.Find("input[name='channel']").GetAttribute("value"));

        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Matches(@"/tickets/\d+$", navigation.Uri), Slow);
        var id = int.Parse(navigation.Uri[(navigation.Uri.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var filed = (await Tickets.GetAsync(id))!;
        Assert.Equal((fashion.Id, version.Id, "Shirt", "T-shirt"), (filed.ModuleId!.Value, filed.ModelVersionId!.Value, filed.ExpectedOutput, filed.ActualOutput));
        Assert.Equal("someone@test", filed.ReportedBy); // the signed-in user; the form has no name field
        Assert.Equal("someone@test", Assert.Single(filed.History).Author);
    }

    [Fact]
    public async Task The_list_orders_by_title_on_the_server_both_ways_newest_first_among_equals()
    {
        var tag = $"sort{Guid.NewGuid():N}"[..12];
        foreach (var title in new[] { "b", "a", "c", "a" })
        {
            await Tickets.CreateAsync(new TicketDraft { Title = title, Tags = [tag] }, "qm@test");
        }

        var up = await Tickets.ListAsync(new TicketQuery(Tag: tag, Sort: TicketSort.Title, Descending: false));
        var down = await Tickets.ListAsync(new TicketQuery(Tag: tag, Sort: TicketSort.Title, Descending: true));
        var newest = await Tickets.ListAsync(new TicketQuery(Tag: tag));

        Assert.Equal(["a", "a", "b", "c"], up.Items.Select(t => t.Title));
        Assert.True(up.Items[0].Id > up.Items[1].Id);
        Assert.Equal(["c", "b", "a", "a"], down.Items.Select(t => t.Title));
        Assert.Equal(newest.Items.Select(t => t.Id).OrderDescending(), newest.Items.Select(t => t.Id));
    }

    [Theory]
    [InlineData(null, false, TicketSort.Id, true)]
    [InlineData(nameof(TicketListItem.Title), false, TicketSort.Title, false)]
    [InlineData(nameof(TicketListItem.Severity), true, TicketSort.Severity, true)]
    [InlineData(nameof(TicketListItem.UpdatedAt), false, TicketSort.Updated, false)]
    [InlineData(nameof(TicketListItem.Channel), false, TicketSort.Id, false)]
    public void The_grids_column_becomes_the_servers_order(string? column, bool descending, TicketSort expected, bool expectedDescending)
    {
        var sort = column is null ? null : new SortDefinition<TicketListItem>(column, descending, 0, _ => "");

        Assert.Equal((expected, expectedDescending), TicketListPage.SortOf(sort));
    }

    [Fact]
    public async Task The_list_shows_its_page_of_tickets_with_the_total()
    {
        SignInAs(QualityHubRoles.Viewer);
        Render<MudPopoverProvider>();
        var ticket = await FileAsync($"Listed {Guid.NewGuid():N}"[..20]);
        Services.GetRequiredService<NavigationManager>().NavigateTo("tickets/list");

        var page = Render<TicketListPage>();

        page.WaitForAssertion(() => Assert.Equal(ticket.Title, page.Find($"a[data-ticket='{ticket.Id}']").TextContent), Slow);
        var total = (await Tickets.ListAsync(new TicketQuery(Take: 1))).Total;
        Assert.Equal(total.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-total]").GetAttribute("data-total"));
        Assert.True(page.FindAll("a[data-ticket]").Count <= 25);
    }

    [Fact]
    public async Task A_ticket_filed_from_a_gallery_item_links_back_to_the_sample_and_the_runs_answer()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var run = (await EvaluationRuns.DemoRunsAsync(Client)).First(r => r.GetProperty("dataset").GetString() == "fashion-mnist-test-2000");
        var runId = run.GetProperty("id").GetInt32();
        var sampleId = (await Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/evaluations/{runId}/gallery?take=1"))
            .GetProperty("items")[0].GetProperty("sampleId").GetInt64();
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"tickets/new?sampleId={sampleId}&runId={runId}");

        var form = Render<NewTicketPage>();
        form.WaitForAssertion(() => Assert.NotEmpty(form.Find("input[name='title']").GetAttribute("value") ?? ""), Slow);
        form.Find("form").Submit();
        form.WaitForAssertion(() => Assert.Matches(@"/tickets/\d+$", navigation.Uri), Slow);
        var id = int.Parse(navigation.Uri[(navigation.Uri.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        var page = Render<TicketDetailPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-seen-on]", Slow);
        var datasetId = run.GetProperty("datasetId").GetInt32();
        Assert.Equal($"datasets/{datasetId}?sample={sampleId}", page.Find("[data-seen-sample]").GetAttribute("href"));
        Assert.Equal($"evaluations/{runId}/gallery?item={sampleId}", page.Find("[data-seen-run]").GetAttribute("href"));
    }
}
