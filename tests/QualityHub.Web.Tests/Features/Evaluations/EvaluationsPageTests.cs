using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Tests.Features.Evaluations;

/// <summary>The Evaluations page over the evaluated demo: a start the server refuses shows on the field it names; a start that works says so in a snackbar.</summary>
public sealed class EvaluationsPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private static string FieldText(IRenderedComponent<EvaluationsPage> page, string name) =>
        page.Find($"input[name='{name}']").Closest(".mud-input-control")!.TextContent;

    private async Task<int> VersionIdAsync(string name)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        return await db.ModelVersions.Where(v => v.Name == name).Select(v => v.Id).SingleAsync();
    }

    private async Task<IRenderedComponent<EvaluationsPage>> OpenAsync(int versionId)
    {
        // The demo's own runs first: a second run of a version already running on a dataset is refused.
        await EvaluationRuns.DemoRunsAsync(Client);
        var page = Render<EvaluationsPage>();
        page.WaitForElement("input[name='version']", Slow);
        // The form shows before its choices are read (the runs are read last): a version picked earlier finds no test set.
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[aria-label='Loading evaluation runs']")), Slow);
        // Picking a version picks its module's test set too.
        await page.InvokeAsync(() => page.FindComponents<MudSelect<int?>>().Single(s => s.Instance.Label == "Model version").Instance.ValueChanged.InvokeAsync(versionId));
        page.WaitForAssertion(() => Assert.False(page.FindAll("button").Single(b => b.TextContent.Trim() == "Evaluate").HasAttribute("disabled")), Slow);
        return page;
    }

    [Fact]
    public async Task A_version_without_a_confirmed_card_is_refused_on_the_version_field_and_nothing_is_queued()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        int cardless;
        await using (var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            var like = await db.ModelVersions.SingleAsync(v => v.Name == "fashion-linear-v1");
            var version = new ModelVersion { ModuleId = like.ModuleId, Name = "no-card-yet", Sha256 = like.Sha256, FileName = like.FileName, SizeBytes = like.SizeBytes, CreatedAt = DateTimeOffset.UtcNow };
            db.ModelVersions.Add(version);
            await db.SaveChangesAsync();
            cardless = version.Id;
        }

        var page = await OpenAsync(cardless);
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Evaluate").Click();

        page.WaitForAssertion(() => Assert.Contains("has no confirmed model card", FieldText(page, "version")), Slow);
        Assert.DoesNotContain("model card", FieldText(page, "dataset"));
        Assert.Empty(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        await using var check = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        Assert.False(await check.EvaluationRuns.AnyAsync(r => r.ModelVersionId == cardless));
    }

    [Fact]
    public async Task A_start_is_said_in_a_snackbar_with_the_runs_number()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var linear = await VersionIdAsync("fashion-linear-v1");

        var page = await OpenAsync(linear);
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Evaluate").Click();

        snackbars.WaitForAssertion(() => Assert.Matches(@"Run #\d+ is queued: fashion-mnist-classifier/fashion-linear-v1 on fashion-mnist-test-2000", snackbars.Markup), Slow);
        Assert.DoesNotContain("must", FieldText(page, "version"));
    }
}
