using Microsoft.Playwright;

namespace QualityHub.BrowserTests;

/// <summary>The portal's shell as a user sees it: navigation on the left, a page with one h1.</summary>
public sealed class PortalPage(IPage page)
{
    public IPage Page => page;

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator Navigation => page.GetByRole(AriaRole.Navigation, new() { Name = "Areas" });

    public ILocator NavLink(string area) => Navigation.GetByRole(AriaRole.Link, new() { Name = area, Exact = true });

    public ILocator Chart => page.Locator(".qh-plot .main-svg").First;

    public ILocator Tile(string label) => page.Locator($"[data-count='{label}']");

    /// <summary>
    /// Opens the Overview and waits for its chart: the chart is drawn after the first interactive render,
    /// so once it is there the circuit is connected and clicks are handled by the app.
    /// </summary>
    public async Task OpenOverviewAsync()
    {
        await page.GotoAsync("/");
        await Assertions.Expect(Chart).ToBeVisibleAsync();
    }

    /// <summary>
    /// Picks an option of the MudBlazor select whose input is named <paramref name="name"/> inside <paramref name="scope"/>:
    /// a click opens its list in a popover at the end of the page (not inside the select), where the option is chosen by
    /// its exact text, and the list closes.
    /// </summary>
    public static async Task ChooseAsync(ILocator scope, string name, string option)
    {
        await Select(scope, name).First.ClickAsync();
        var list = scope.Page.Locator(".mud-popover-open");
        await list.Locator(".mud-list-item").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{System.Text.RegularExpressions.Regex.Escape(option)}\\s*$") }).First.ClickAsync();
        await Assertions.Expect(list.Locator(".mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>The MudBlazor select whose input is named <paramref name="name"/>.</summary>
    public static ILocator Select(ILocator scope, string name) =>
        scope.Locator(".mud-select").Filter(new() { Has = scope.Page.Locator($"input[name='{name}']") });

    public async Task NavigateByClickAsync(string area)
    {
        await NavLink(area).ClickAsync();
        await Assertions.Expect(Heading).ToHaveTextAsync(area);
    }
}
