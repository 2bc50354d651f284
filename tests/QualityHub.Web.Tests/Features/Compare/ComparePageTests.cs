using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>The Compare page over the evaluated demo: choosing candidates, comparing a sample, refusals, filing a ticket.</summary>
public sealed class ComparePageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    // The first queries and sessions of a test process compile and load, which can take seconds on a busy machine.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private int fashion;
    private List<int> demo = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var scope = Factory.Services.CreateScope();
        var catalog = scope.ServiceProvider.GetRequiredService<ModelCatalog>();
        fashion = (await catalog.GetModulesAsync()).Single(m => m.Name == "fashion-mnist-classifier").Id;
        demo = [.. (await catalog.GetVersionsAsync(fashion)).Where(v => v.Name is "fashion-linear-v1" or "fashion-mlp-v1" or "fashion-cnn-v1").Select(v => v.Id)];
    }

    private IRenderedComponent<ComparePage> Open(params string[] roles)
    {
        SignInAs(roles.Length == 0 ? [QualityHubRoles.Viewer] : roles);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"compare?module={fashion}&versions={string.Join(',', demo)}");
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-sample]")), Patience);
        return page;
    }

    private IEnumerable<Snackbar> Snackbars => Services.GetRequiredService<ISnackbar>().ShownSnackbars;

    private static void ClickFirstSampleAndWait(IRenderedComponent<ComparePage> page)
    {
        page.Find("[data-sample]").Click();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find(".qh-compare-input").GetAttribute("data-complete")), Patience);
    }

    private static IRenderedComponent<MudCheckBox<bool>> Box(IRenderedComponent<ComparePage> page, int versionId) =>
        page.FindComponents<MudCheckBox<bool>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-version"), versionId));

    private static async Task TickAsync(IRenderedComponent<ComparePage> page, int versionId, bool on)
    {
        var box = Box(page, versionId);
        await page.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(on));
    }

    [Fact]
    public void A_click_on_a_sample_runs_each_chosen_candidate_on_it_and_shows_the_ground_truth_and_the_answers()
    {
        var page = Open();
        var sample = page.Find("[data-sample]").GetAttribute("data-sample");

        ClickFirstSampleAndWait(page);

        Assert.Equal(demo.Order(), page.FindAll(".qh-candidate").Select(c => int.Parse(c.GetAttribute("data-candidate")!)).Order());
        Assert.Equal(3, page.FindAll(".qh-candidate[data-state='done']").Count);
        Assert.NotEmpty(page.Find("[data-ground-truth]").TextContent);
        Assert.Equal($"api/samples/{sample}/image", page.Find(".qh-input-image").GetAttribute("src"));
        Assert.Contains("qh-thumb-current", page.Find($"[data-sample='{sample}']").ClassName);
        Assert.Equal("1", page.Find(".qh-compare-input").GetAttribute("data-run"));
    }

    [Fact]
    public async Task The_candidates_ticked_are_the_ones_run_and_disagreements_are_sought_among_two_or_more()
    {
        var page = Open();
        Assert.All(demo, id => Assert.True(Box(page, id).Instance.GetState(x => x.Value)));
        Assert.False(page.Find("[data-find-disagreement]").HasAttribute("disabled"));

        await TickAsync(page, demo[0], on: false);
        await TickAsync(page, demo[1], on: false);

        Assert.True(page.Find("[data-find-disagreement]").HasAttribute("disabled"));
        ClickFirstSampleAndWait(page);
        Assert.Equal([demo[2]], page.FindAll(".qh-candidate").Select(c => int.Parse(c.GetAttribute("data-candidate")!)));

        await TickAsync(page, demo[1], on: true);
        Assert.False(page.Find("[data-find-disagreement]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task With_no_candidate_ticked_a_sample_is_not_compared_and_a_snackbar_says_why()
    {
        var page = Open();
        foreach (var id in demo)
        {
            await TickAsync(page, id, on: false);
        }

        Assert.All(demo, id => Assert.False(Box(page, id).Instance.GetState(x => x.Value)));

        page.Find("[data-sample]").Click();

        // The sample is read from the store before the candidates are looked at, so the refusal comes a moment later.
        page.WaitForAssertion(() => Assert.NotEmpty(Snackbars), Patience);
        Assert.Empty(page.FindAll(".qh-compare-input"));
        var shown = Assert.Single(Snackbars);
        Assert.Equal("Choose at least one candidate.", shown.Message);
        Assert.Equal(Severity.Warning, shown.Severity);
    }

    [Fact]
    public async Task An_upload_the_browser_refused_shows_its_reason_under_the_file_field_and_a_refused_paste_in_a_snackbar()
    {
        var module = JSInterop.SetupModule("./js/compare.js");
        module.Setup<ComparePage.HeldImage>("holdFile", _ => true)
            .SetResult(new(false, "big.png is 50.0 MiB; the limit is 20 MiB.", null, 0));
        var page = Open();

        page.Find("[data-upload]").Change("");

        var refusal = page.Find("[data-compare-message='upload']");
        Assert.Equal("big.png is 50.0 MiB; the limit is 20 MiB.", refusal.TextContent);
        Assert.Equal("qh-upload-error", page.Find("[data-upload]").GetAttribute("aria-describedby"));
        Assert.Empty(Snackbars);

        await page.InvokeAsync(() => page.Instance.OnPasted(new(false, "The pasted image is 21.0 MiB; the limit is 20 MiB.", null, 0)));

        var shown = Assert.Single(Snackbars);
        Assert.Equal("The pasted image is 21.0 MiB; the limit is 20 MiB.", shown.Message);
        Assert.Equal(Severity.Warning, shown.Severity);
        Assert.Contains("Limit 20 MiB.", page.Markup);
    }

    [Fact]
    public void A_drawing_the_browser_refused_shows_its_reason_under_the_pad()
    {
        var module = JSInterop.SetupModule("./js/compare.js");
        var held = module.Setup<ComparePage.HeldImage>("holdDrawing", _ => true);
        held.SetResult(new(false, "The drawing is not an image this browser can decode.", null, 0));
        var page = Open();

        page.Find("[data-compare-drawing]").Click();

        page.WaitForAssertion(() => Assert.Equal("The drawing is not an image this browser can decode.", page.Find("[data-compare-message='drawing']").TextContent));
        Assert.Empty(page.FindAll("[data-compare-message='upload']"));
        Assert.Empty(Snackbars);
    }

    [Fact]
    public void A_ticket_filed_about_an_answer_opens_the_new_ticket_form_with_the_input_and_the_answer()
    {
        var page = Open(QualityHubRoles.Modeler);
        ClickFirstSampleAndWait(page);
        var truth = page.Find("[data-ground-truth]").TextContent;
        var card = page.Find($".qh-candidate[data-candidate='{demo[0]}']");
        var answer = card.QuerySelector("[data-output]")!.TextContent;

        page.Find($"[data-file-ticket='{demo[0]}']").Click();

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith("/tickets/new", new Uri(navigation.Uri).AbsolutePath, StringComparison.Ordinal), Patience);
        var uri = new Uri(navigation.Uri);
        var query = QueryHelpers.ParseQuery(uri.Query);
        Assert.Equal(fashion.ToString(System.Globalization.CultureInfo.InvariantCulture), query["moduleId"]);
        Assert.Equal(demo[0].ToString(System.Globalization.CultureInfo.InvariantCulture), query["modelVersionId"]);
        Assert.Equal(truth, query["expected"]);
        Assert.Equal(answer, query["actual"]);
        Assert.Equal("compare", query["channel"]);
        Assert.Matches("^[0-9a-f]{64}$", query["imageSha"].ToString());
    }

    [Fact]
    public void A_viewer_gets_no_ticket_button_and_no_collection_form()
    {
        var page = Open();
        ClickFirstSampleAndWait(page);

        Assert.Empty(page.FindAll("[data-file-ticket]"));
        Assert.Empty(page.FindAll("[data-add-to-collection]"));
    }

    [Fact]
    public void A_collection_name_the_server_refuses_shows_on_the_name_field()
    {
        var page = Open(QualityHubRoles.Modeler);
        ClickFirstSampleAndWait(page);

        page.Find("[data-collection-name] input, input[data-collection-name]").Input("fashion-mnist-test-2000");
        page.Find("[data-add-to-collection]").Click();

        page.WaitForAssertion(() => Assert.Contains(
            "'fashion-mnist-test-2000' is already the name of a dataset that is not a collection",
            page.Find("[data-collection-name]").Closest(".mud-input-control")!.TextContent), Patience);
        Assert.Empty(Snackbars);
    }
}
