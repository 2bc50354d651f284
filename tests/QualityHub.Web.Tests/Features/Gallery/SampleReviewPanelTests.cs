using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Gallery;

namespace QualityHub.Web.Tests.Features.Gallery;

/// <summary>A gallery sample under review: a refused note shows on the note field; a note and a tag that work come as snackbars and show at once.</summary>
public sealed class SampleReviewPanelTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    protected override bool StartsAfterDemoRuns => true;

    private static string FieldText(IRenderedComponent<SampleReviewPanel> panel, string name) =>
        panel.Find($"input[name='{name}'], textarea[name='{name}']").Closest(".mud-input-control")!.TextContent;

    private async Task<(IRenderedComponent<SampleReviewPanel> Panel, IRenderedComponent<MudSnackbarProvider> Snackbars, long SampleId)> OpenAsync()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var dataset = await db.Datasets.SingleAsync(d => d.Name == "fashion-mnist-test-2000");
        var sample = await db.Samples.Where(s => s.DatasetId == dataset.Id).OrderBy(s => s.Ordinal).Skip(7).FirstAsync();
        var panel = Render<SampleReviewPanel>(p => p
            .Add(c => c.SampleId, sample.Id).Add(c => c.ModuleId, dataset.ModuleId!.Value)
            .Add(c => c.Taxonomy, ErrorTaxonomy.DefaultTags).Add(c => c.Labels, dataset.Labels));
        panel.WaitForElement("textarea[name='text']", Slow);
        return (panel, snackbars, sample.Id);
    }

    [Fact]
    public async Task A_note_over_the_limit_is_refused_on_the_note_field_and_a_good_one_is_added_with_a_snackbar()
    {
        var (panel, snackbars, sampleId) = await OpenAsync();

        panel.Find("textarea[name='text']").Input(new string('x', ErrorTaxonomy.MaxNoteLength + 1));
        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Add note").Click();

        panel.WaitForAssertion(() => Assert.Contains($"A note has 1 to {ErrorTaxonomy.MaxNoteLength:N0} characters", FieldText(panel, "text")), Slow);
        Assert.Empty(Services.GetRequiredService<ISnackbar>().ShownSnackbars);

        panel.Find("textarea[name='text']").Input("Looks like a **sandal**, not a sneaker.");
        Assert.DoesNotContain("characters", FieldText(panel, "text"));
        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Add note").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Note added.", snackbars.Markup), Slow);
        panel.WaitForAssertion(() => Assert.Contains("<strong>sandal</strong>", panel.Find(".qh-note").InnerHtml), Slow);
        var review = await Factory.Services.GetRequiredService<SampleReviews>().GetReviewAsync(sampleId);
        Assert.Equal(["Looks like a **sandal**, not a sneaker."], review.Notes.Select(n => n.Text));
    }

    [Fact]
    public async Task A_tag_picked_from_the_list_is_added_and_shown_as_a_chip()
    {
        var (panel, snackbars, sampleId) = await OpenAsync();

        await panel.InvokeAsync(() => panel.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Tag to add").Instance.ValueChanged.InvokeAsync("blur"));
        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Add").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Tagged 'blur'.", snackbars.Markup), Slow);
        panel.WaitForAssertion(() => Assert.Contains("blur", panel.Find(".qh-review-tags .qh-chip").TextContent), Slow);
        var review = await Factory.Services.GetRequiredService<SampleReviews>().GetReviewAsync(sampleId);
        Assert.Contains("blur", review.ErrorTags.Select(t => t.Name));
    }
}
