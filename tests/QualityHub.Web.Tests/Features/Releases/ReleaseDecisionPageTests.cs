using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Models;
using QualityHub.Web.Features.Releases;

namespace QualityHub.Web.Tests.Features.Releases;

/// <summary>A draft's decision page over the evaluated demo: approving asks first, and refusals land on their field or in a snackbar.</summary>
public sealed class ReleaseDecisionPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    protected override bool StartsAfterDemoRuns => true;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<int> DraftAsync()
    {
        using var scope = Factory.Services.CreateScope();
        var versions = await scope.ServiceProvider.GetRequiredService<ModelCatalog>().GetVersionsAsync();
        var ids = versions.Where(v => v.Name is "fashion-cnn-v1" or "pp-ocrv4-rec").Select(v => v.Id).ToList();
        var release = await scope.ServiceProvider.GetRequiredService<ReleaseCatalog>().CreateAsync($"dp-{Guid.NewGuid():N}"[..11], "bUnit", ids);
        return release.Id;
    }

    private async Task<ReleaseStatus> StatusAsync(int id)
    {
        using var scope = Factory.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<ReleaseDecisions>().GetChecklistAsync(id))!.Status;
    }

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars, IRenderedComponent<ReleaseDecisionPage> Page) Open(int id)
    {
        SignInAs(QualityHubRoles.QualityManager);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<ReleaseDecisionPage>(p => p.Add(c => c.ReleaseId, id));
        page.WaitForAssertion(() => page.Find("[data-status=Draft]"), Patience);
        return (dialogs, snackbars, page);
    }

    private static async Task ApproveAsync(IRenderedComponent<ReleaseDecisionPage> page) =>
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains("Approve and make current")).Click());

    private static async Task AnswerAsync(IRenderedComponent<MudDialogProvider> dialogs, string button)
    {
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll("button")), Patience);
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == button).Click());
    }

    [Fact]
    public async Task Approving_asks_first_and_cancelling_records_nothing()
    {
        var id = await DraftAsync();
        var (dialogs, snackbars, page) = Open(id);

        await ApproveAsync(page);

        dialogs.WaitForAssertion(() => Assert.Contains("Approve release dp-", dialogs.Markup), Patience);
        Assert.Contains("cannot be undone", dialogs.Markup);
        await AnswerAsync(dialogs, "Cancel");
        Assert.Equal(ReleaseStatus.Draft, await StatusAsync(id));
        Assert.Empty(snackbars.FindAll("[role=status] .mud-snackbar"));
    }

    [Fact]
    public async Task A_missing_sign_off_is_refused_on_the_checkbox()
    {
        var id = await DraftAsync();
        var (dialogs, snackbars, page) = Open(id);

        await ApproveAsync(page);
        await AnswerAsync(dialogs, "Approve");

        page.WaitForAssertion(() => Assert.Contains("signOff must be true", page.Find("[data-field-error=signOff]").TextContent), Patience);
        Assert.Empty(snackbars.FindAll("[role=status] .mud-snackbar"));
        Assert.Equal(ReleaseStatus.Draft, await StatusAsync(id));
    }

    [Fact]
    public async Task Open_items_are_refused_in_a_snackbar_and_waived_items_let_the_approval_through()
    {
        var id = await DraftAsync();
        var (dialogs, snackbars, page) = Open(id);
        page.Find("input[type=checkbox]").Change(true);

        await ApproveAsync(page);
        await AnswerAsync(dialogs, "Approve");
        snackbars.WaitForAssertion(() => Assert.Contains("cannot be approved yet", snackbars.Find("[role=status]").TextContent), Patience);
        Assert.Equal("false", page.Find("[data-ready]").GetAttribute("data-ready"));

        for (var i = 0; i < 20 && page.FindAll("tr[data-settled=false] input").FirstOrDefault() is { } reason; i++)
        {
            reason.Change("Accepted for the December release");
        }

        Assert.Equal("true", page.Find("[data-ready]").GetAttribute("data-ready"));
        Assert.Contains("I, someone@test, sign off this release", page.Markup); // who signs off is who is signed in
        await ApproveAsync(page);
        await AnswerAsync(dialogs, "Approve");

        page.WaitForAssertion(() => page.Find("[data-status=Current]"), Patience);
        snackbars.WaitForAssertion(() => Assert.Contains(snackbars.FindAll("[role=status] .mud-snackbar"), a => a.TextContent.Contains("is now current.")), Patience);
        Assert.Equal(ReleaseStatus.Current, await StatusAsync(id));
        // Signed off by whoever is signed in: the release records them.
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        Assert.Equal("someone@test", (await db.Releases.SingleAsync(r => r.Id == id)).ApprovedBy);
    }
}
