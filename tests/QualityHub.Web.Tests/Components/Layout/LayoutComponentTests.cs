using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using QualityHub.Web.Components.Layout;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Overview;

namespace QualityHub.Web.Tests.Components.Layout;

/// <summary>The portal's shell: its navigation, its light/dark toggle, and the Overview's summary tiles.</summary>
public sealed class LayoutComponentTests : IAsyncLifetime
{
    // Not a base class: MudBlazor's services dispose only asynchronously, and xUnit 2 would call Dispose() on a BunitContext subclass.
    private readonly BunitContext bunit = new();
    private readonly BunitJSModuleInterop themeModule;
    private readonly Bunit.TestDoubles.BunitAuthorizationContext user;

    public LayoutComponentTests()
    {
        // MudBlazor's components talk to their own script (popovers, breakpoints); only our theme module is asserted on.
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        themeModule = bunit.JSInterop.SetupModule("./js/theme.js");
        themeModule.SetupVoid("remember", _ => true).SetVoidResult();
        bunit.Services.AddMudServices();
        bunit.Services.AddScoped<ThemeChoice>();
        user = bunit.AddAuthorization();
        user.SetAuthorized("admin@test");
        user.SetRoles(QualityHub.Data.Accounts.QualityHubRoles.Admin);
        user.SetPolicies(Policies.Administer);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await bunit.DisposeAsync();

    private IServiceProvider Services => bunit.Services;

    [Fact]
    public void The_navigation_links_every_area_with_its_title()
    {
        var nav = bunit.Render<NavMenu>();

        foreach (var area in AppArea.All)
        {
            var link = Assert.Single(nav.FindAll("a.mud-nav-link"), a => a.TextContent.Trim() == area.Title);
            Assert.Equal(area.Path, link.GetAttribute("href"));
        }
    }

    [Fact]
    public void The_navigation_shows_accounts_only_to_those_who_administer()
    {
        Assert.Contains(bunit.Render<NavMenu>().FindAll("a.mud-nav-link"), a => a.GetAttribute("href") == "admin/accounts");

        user.SetAuthorized("viewer@test");
        user.SetRoles(QualityHub.Data.Accounts.QualityHubRoles.Viewer);
        user.SetPolicies();

        Assert.DoesNotContain(bunit.Render<NavMenu>().FindAll("a.mud-nav-link"), a => a.GetAttribute("href") == "admin/accounts");
    }

    [Fact]
    public void The_theme_toggle_switches_the_palette_and_the_charts_to_dark_and_back_and_remembers_each_choice()
    {
        var layout = RenderLayout();
        var flips = 0;
        Services.GetRequiredService<ThemeChoice>().Changed += () => flips++;
        var theme = layout.FindComponent<MudThemeProvider>();
        Assert.False(theme.Instance.GetState(x => x.IsDarkMode));

        layout.Find("button[data-theme]").Click();

        // The provider gets the palette on the layout's next render, which a loaded machine may run a moment later.
        layout.WaitForAssertion(() => Assert.True(theme.Instance.GetState(x => x.IsDarkMode)));
        Assert.Equal("dark", layout.Find("button[data-theme]").GetAttribute("data-theme"));
        Assert.Equal("Switch to the light theme", layout.Find("button[data-theme]").GetAttribute("aria-label"));
        Assert.Equal(1, flips);
        Assert.Equal(["qualityhub-theme", "dark"], themeModule.VerifyInvoke("remember").Arguments);

        layout.Find("button[data-theme]").Click();

        layout.WaitForAssertion(() => Assert.False(theme.Instance.GetState(x => x.IsDarkMode)));
        Assert.Equal(2, flips);
        Assert.Equal(["qualityhub-theme", "light"], themeModule.VerifyInvoke("remember", calledTimes: 2)[1].Arguments);
    }

    [Fact]
    public void A_dark_cookie_renders_the_shell_dark_from_the_start()
    {
        Services.GetRequiredService<ThemeChoice>().Start("dark");

        var layout = RenderLayout();

        Assert.True(layout.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode));
        Assert.Equal("dark", layout.Find("button[data-theme]").GetAttribute("data-theme"));
        Assert.Empty(themeModule.Invocations); // reading the choice writes nothing
    }

    [Theory]
    [InlineData(null)]
    [InlineData("light")]
    [InlineData("DARK<script>")]
    public void Anything_but_a_dark_cookie_is_the_light_theme(string? cookie)
    {
        var choice = Services.GetRequiredService<ThemeChoice>();

        choice.Start(cookie);

        Assert.False(choice.IsDark);
    }

    [Fact]
    public void The_shell_shows_the_page_with_the_title_and_the_signed_in_user()
    {
        var layout = RenderLayout();

        Assert.Equal("Page body", layout.Find("main h1").TextContent);
        Assert.Contains("QualityHub", layout.Find(".mud-appbar").TextContent);
        Assert.Equal("admin@test", layout.Find("[data-user]").GetAttribute("data-user"));
        Assert.NotNull(layout.Find("nav a.mud-nav-link[href='compare']"));
    }

    [Fact]
    public void Summary_tiles_show_each_count_with_its_label()
    {
        var summary = new RegistrySummary(Modules: 2, ModelVersions: 4, Datasets: 2, Samples: 12_345, EvaluationRuns: 8, Releases: 1, Tickets: 5, OpenTickets: 3);

        var tiles = bunit.Render<SummaryTiles>(p => p.Add(t => t.Summary, summary));

        Assert.Equal("4", tiles.Find("[data-count='Model versions']").TextContent);
        Assert.Equal("12,345", tiles.Find("[data-count='Samples']").TextContent);
        Assert.Equal("3", tiles.Find("[data-count='Open tickets']").TextContent);
        Assert.Empty(tiles.FindAll("[data-count='Tickets']")); // all tickets is not a tile: open ones are what needs attention
    }

    private IRenderedComponent<MainLayout> RenderLayout() =>
        bunit.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<h1>Page body</h1>"))));
}
