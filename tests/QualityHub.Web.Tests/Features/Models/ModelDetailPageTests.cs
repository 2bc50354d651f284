using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Models;
using QualityHub.Worker;

namespace QualityHub.Web.Tests.Features.Models;

/// <summary>A model version's page over the evaluated demo: the card table, its JSON, and a card edit the registry refuses.</summary>
public sealed class ModelDetailPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    protected override bool StartsAfterDemoRuns => true;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<int> VersionIdAsync(string name)
    {
        using var scope = Factory.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<ModelCatalog>().GetVersionsAsync()).Single(v => v.Name == name).Id;
    }

    private IRenderedComponent<ModelDetailPage> Open(int id)
    {
        Render<MudPopoverProvider>();
        return Render<ModelDetailPage>(p => p.Add(c => c.Id, id));
    }

    private static IElement Button(IRenderedComponent<ModelDetailPage> page, string text) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == text);

    [Fact]
    public async Task A_card_that_cannot_work_is_refused_on_the_editor_and_the_stored_card_stays()
    {
        SignInAs(QualityHubRoles.Modeler);
        var snackbars = Render<MudSnackbarProvider>();
        var page = Open(await VersionIdAsync("fashion-linear-v1"));
        page.WaitForAssertion(() => Assert.Contains("T-shirt/top", page.Find(".qh-card-table").TextContent), Patience);

        Button(page, "Confirm or edit the card").Click();
        page.Find("textarea[aria-label='Model card JSON']").Change("""{ "task": "image-classification", "input": { "width": 28, "height": 28, "channels": 2 } }""");
        await page.InvokeAsync(() => Button(page, "Save card").Click());

        page.WaitForAssertion(() => Assert.Contains("input.channels must be 1 or 3", page.Find(".qh-card-editor .mud-input-helper-text").TextContent), Patience);
        Assert.Equal("true", page.Find("textarea[aria-label='Model card JSON']").GetAttribute("aria-invalid"));
        Assert.Contains("\"channels\": 2", page.Find("textarea[aria-label='Model card JSON']").GetAttribute("value") ?? page.Find("textarea[aria-label='Model card JSON']").TextContent);
        Assert.Empty(snackbars.FindAll("[role=status] .mud-snackbar"));

        await page.InvokeAsync(() => Button(page, "Cancel").Click());
        page.WaitForAssertion(() => Assert.Contains("T-shirt/top", page.Find(".qh-card-table").TextContent), Patience);
    }

    [Fact]
    public async Task A_quarantined_version_says_why_and_a_modeler_cannot_lift_it()
    {
        var (sha256, quarantine) = await QuarantineAsync("fashion-mlp-v1");
        try
        {
            SignInAs(QualityHubRoles.Modeler);
            var snackbars = Render<MudSnackbarProvider>();
            var page = Open(await VersionIdAsync("fashion-mlp-v1"));
            page.WaitForAssertion(() => Assert.Contains("no worker runs it", page.Find("[aria-label='Quarantine']").TextContent), Patience);
            Assert.Contains("each of the 2 times the isolated worker process died; the last time: The isolated worker process 42 stopped", page.Find("[aria-label='Quarantine']").TextContent);

            await page.InvokeAsync(() => Button(page, "Lift the quarantine").Click());
            page.WaitForAssertion(() => Assert.Contains("lifted by a quality manager or an admin", snackbars.Markup), Patience);
            Assert.NotNull(quarantine.Find(sha256));
            Assert.NotEmpty(page.FindAll("[aria-label='Quarantine']"));
        }
        finally
        {
            quarantine.Lift(sha256);
        }
    }

    [Fact]
    public async Task A_quality_manager_lifts_a_quarantine_and_the_panel_goes()
    {
        var (sha256, quarantine) = await QuarantineAsync("fashion-linear-v1");
        try
        {
            SignInAs(QualityHubRoles.QualityManager);
            var page = Open(await VersionIdAsync("fashion-linear-v1"));
            page.WaitForAssertion(() => Button(page, "Lift the quarantine"), Patience);
            await page.InvokeAsync(() => Button(page, "Lift the quarantine").Click());
            page.WaitForAssertion(() => Assert.Empty(page.FindAll("[aria-label='Quarantine']")), Patience);
            Assert.Null(quarantine.Find(sha256));
        }
        finally
        {
            quarantine.Lift(sha256);
        }
    }

    // The version as the pool leaves it after the isolated worker died twice while running it.
    private async Task<(string Sha256, ModelQuarantine Quarantine)> QuarantineAsync(string name)
    {
        using var scope = Factory.Services.CreateScope();
        var version = (await scope.ServiceProvider.GetRequiredService<ModelCatalog>().GetVersionAsync(await VersionIdAsync(name)))!.Summary;
        var quarantine = Factory.Services.GetRequiredService<ModelQuarantine>();
        Assert.False(quarantine.RecordCrash(version.Sha256, version.Name, 1, "The isolated worker process 41 stopped: it aborted (SIGABRT)"));
        Assert.True(quarantine.RecordCrash(version.Sha256, version.Name, 2, "The isolated worker process 42 stopped: it aborted (SIGABRT)"));
        return (version.Sha256, quarantine);
    }

    [Fact]
    public async Task The_stored_JSON_shows_and_hides_on_the_toggle()
    {
        SignInAs(QualityHubRoles.Viewer);
        var page = Open(await VersionIdAsync("fashion-linear-v1"));
        page.WaitForAssertion(() => Button(page, "Show the JSON"), Patience);
        Assert.Empty(page.FindAll("[aria-label='Model card JSON as stored']"));

        // Found and clicked in one renderer turn, then waited for: the page may still be drawing its runs.
        await page.InvokeAsync(() => Button(page, "Show the JSON").Click());
        page.WaitForAssertion(() => Assert.Contains("\"labels\"", page.Find("[aria-label='Model card JSON as stored']").TextContent), Patience);
        Assert.Equal("true", Button(page, "Hide the JSON").GetAttribute("aria-expanded"));

        await page.InvokeAsync(() => Button(page, "Hide the JSON").Click());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[aria-label='Model card JSON as stored']")), Patience);
        // A viewer may read the card but not edit it.
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Confirm or edit"));
    }

    [Fact]
    public async Task A_saved_card_is_announced_and_the_editor_closes()
    {
        SignInAs(QualityHubRoles.Modeler);
        var snackbars = Render<MudSnackbarProvider>();
        var page = Open(await VersionIdAsync("fashion-mlp-v1"));
        page.WaitForAssertion(() => Button(page, "Confirm or edit the card"), Patience);

        Button(page, "Confirm or edit the card").Click();
        await page.InvokeAsync(() => Button(page, "Save card").Click());

        snackbars.WaitForAssertion(() => Assert.Contains("Card saved.", snackbars.Find("[role=status]").TextContent), Patience);
        Assert.Empty(page.FindAll("textarea[aria-label='Model card JSON']"));
    }

    [Fact]
    public void An_unknown_version_says_so()
    {
        SignInAs(QualityHubRoles.Viewer);
        var page = Open(999_999);

        page.WaitForAssertion(() => Assert.Contains("There is no model version 999999.", page.Find("[role=alert]").TextContent), Patience);
    }
}
