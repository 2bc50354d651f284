using Bunit;
using MudBlazor;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Releases;

namespace QualityHub.Web.Tests.Features.Releases;

/// <summary>The Releases page over the evaluated demo: a new draft, and a name the catalog refuses shown on the name field.</summary>
public sealed class ReleasesPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    protected override bool StartsAfterDemoRuns => true;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private (IRenderedComponent<MudSnackbarProvider> Snackbars, IRenderedComponent<ReleasesPage> Page) Open()
    {
        SignInAs(QualityHubRoles.QualityManager);
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<ReleasesPage>();
        page.WaitForAssertion(() => page.Find("tr[data-release='2026.10']"), Patience);
        return (snackbars, page);
    }

    private static async Task CreateAsync(IRenderedComponent<ReleasesPage> page, string name)
    {
        page.Find("input[name=release-name]").Change(name);
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains("Create draft")).Click());
    }

    [Fact]
    public async Task A_taken_name_is_refused_on_the_name_field_and_nothing_is_added()
    {
        var (snackbars, page) = Open();
        var rows = page.FindAll("tr[data-release]").Count;

        await CreateAsync(page, "2026.10");

        page.WaitForAssertion(() => Assert.Contains("There is already a release named '2026.10'.", page.Find(".mud-input-error").TextContent), Patience);
        Assert.Equal("true", page.Find("input[name=release-name]").GetAttribute("aria-invalid"));
        Assert.Equal(rows, page.FindAll("tr[data-release]").Count);
        Assert.Empty(snackbars.FindAll("[role=status] .mud-snackbar"));

        page.Find("input[name=release-name]").Change("2026.10-b");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-input-error")), Patience);
    }

    [Fact]
    public async Task A_new_draft_is_announced_appears_in_the_table_and_the_name_empties()
    {
        var (snackbars, page) = Open();
        var name = $"bunit-{Guid.NewGuid():N}"[..14];

        await CreateAsync(page, name);

        snackbars.WaitForAssertion(() => Assert.Contains($"Draft release {name} created.", snackbars.Find("[role=status]").TextContent), Patience);
        // The snackbar is raised before the list is read again; the row follows in the next render.
        page.WaitForAssertion(() => Assert.Contains("draft", page.Find($"tr[data-release='{name}']").TextContent), Patience);
        Assert.Equal("", page.Find("input[name=release-name]").GetAttribute("value") ?? "");
    }
}
