using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Requirements;

namespace QualityHub.Web.Tests.Features.Requirements;

/// <summary>The Requirements page over the evaluated demo: refusals on the fields they name, a save in a snackbar, the scorecard after it.</summary>
public sealed class RequirementsPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    protected override bool StartsAfterDemoRuns => true;

    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private RequirementCatalog Catalog => Factory.Services.GetRequiredService<RequirementCatalog>();

    private static string FieldText<T>(IRenderedComponent<T> page, string name)
        where T : IComponent =>
        page.Find($"input[name='{name}'], textarea[name='{name}']").Closest(".mud-input-control")!.TextContent;

    private async Task<(IRenderedComponent<RequirementsPage> Page, IRenderedComponent<MudSnackbarProvider> Snackbars, int ModuleId)> OpenAsync(string module)
    {
        SignInAs(QualityHubRoles.Planner);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var moduleId = (await Catalog.GetModulesAsync()).Single(m => m.Module == module).ModuleId;
        var page = Render<RequirementsPage>(p => p.Add(c => c.ModuleId, moduleId));
        page.WaitForElement("[data-interactive='true'] input[name='offline-p95']", Slow);
        return (page, snackbars, moduleId);
    }

    // Found and clicked in one turn of the renderer: a child that re-renders in between (the capacity planner, the
    // comparison-rule panel loading) would otherwise leave the found button's handler stale.
    private static Task ChangeAsync<TValue>(IRenderedComponent<RequirementsPage> page, string selector, TValue value) =>
        page.InvokeAsync(() => page.Find(selector).Change(value));

    private static Task SaveAsync(IRenderedComponent<RequirementsPage> page, string label) =>
        page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains(label)).Click());

    [Fact]
    public async Task Impossible_targets_are_refused_on_their_own_fields_and_nothing_is_stored()
    {
        var (page, snackbars, moduleId) = await OpenAsync("card-text-recognizer");

        await ChangeAsync(page, "input[name='offline-p95']", "-5");
        await ChangeAsync(page, "input[name='target-qps']", "-1");
        await ChangeAsync(page, "textarea[name='rationale']", "Typed in a hurry.");
        await SaveAsync(page, "Save version 1");

        page.WaitForAssertion(() => Assert.Contains("offlineP95Ms must be a positive number of milliseconds", FieldText(page, "offline-p95")), Slow);
        Assert.Contains("targetQps must be a positive number", FieldText(page, "target-qps"));
        Assert.DoesNotContain("must", FieldText(page, "online-p95"));
        Assert.DoesNotContain("must", FieldText(page, "rationale"));
        Assert.Empty(page.FindAll(".qh-requirement-message"));
        Assert.Empty(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Empty(await Catalog.GetHistoryAsync(moduleId) ?? []);
    }

    [Fact]
    public async Task A_requirement_without_any_target_is_refused_under_the_form_and_a_valid_one_is_saved_with_a_snackbar()
    {
        var (page, snackbars, moduleId) = await OpenAsync("fashion-mnist-classifier");

        await ChangeAsync(page, "textarea[name='rationale']", "No targets yet.");
        await SaveAsync(page, "Save version 1");

        page.WaitForAssertion(() => Assert.Contains("needs at least one target", page.Find(".qh-requirement-message li[data-field='requirement']").TextContent), Slow);

        await ChangeAsync(page, "input[name='offline-p95']", "50");
        await SaveAsync(page, "Save version 1");

        snackbars.WaitForAssertion(() => Assert.Contains("Saved version 1 of the fashion-mnist-classifier requirement.", snackbars.Markup), Slow);
        Assert.Empty(page.FindAll(".qh-requirement-message"));
        var saved = Assert.Single(await Catalog.GetHistoryAsync(moduleId) ?? []);
        Assert.Equal((50.0, "No targets yet."), (saved.OfflineP95Ms!.Value, saved.Rationale));
        page.WaitForAssertion(() => Assert.Contains("Save version 2", page.Markup), Slow);
    }

    [Fact]
    public async Task A_planner_sets_the_text_modules_comparison_rule_and_it_reads_back_in_words()
    {
        var (page, snackbars, moduleId) = await OpenAsync("card-text-recognizer");
        // The rule's panel reads the module's rule after the page has drawn it.
        page.WaitForAssertion(() => Assert.Contains("Now: exact", page.Find("[aria-label='Text comparison rule']").TextContent), Slow);
        Assert.True(page.Find("[data-save-rule]").HasAttribute("disabled")); // nothing changed yet

        try
        {
            await ChangeAsync(page, "input[name='ignore-spaces']", true);
            await ChangeAsync(page, "input[name='ignore-separators']", true);
            await page.InvokeAsync(() => page.Find("[data-save-rule]").Click());

            snackbars.WaitForAssertion(() => Assert.Contains("ignoring spaces and separators (- / . _)", snackbars.Markup), Slow);
            Assert.Equal("ignoring spaces and separators (- / . _)", (await Catalog.GetTextComparisonAsync(moduleId))!.Description);
            page.WaitForAssertion(() => Assert.Contains("Now: ignoring spaces and separators", page.Find("[aria-label='Text comparison rule']").TextContent), Slow);
        }
        finally
        {
            await Catalog.SetTextComparisonAsync(moduleId, new TextComparisonRequest());
        }
    }

    [Fact]
    public async Task A_classifier_module_has_no_text_comparison_rule()
    {
        var (page, _, _) = await OpenAsync("fashion-mnist-classifier");

        Assert.Empty(page.FindAll("[aria-label='Text comparison rule']"));
    }
}
