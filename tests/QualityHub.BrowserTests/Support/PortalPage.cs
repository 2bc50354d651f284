using Microsoft.Playwright;

namespace QualityHub.BrowserTests.Support;

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
    public static Task ChooseAsync(ILocator scope, string name, string option) =>
        ChooseItemAsync(scope, name, items => items.Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{System.Text.RegularExpressions.Regex.Escape(option)}\\s*$") }).First);

    /// <summary>
    /// Opens the select named <paramref name="name"/>, clicks the item <paramref name="pick"/> finds among the open list's
    /// items, and waits until the list has closed. On a busy machine a click on a list that has only just opened is
    /// sometimes lost (the list stays open with nothing chosen; seen once in CI on a page re-rendering with a run's
    /// progress); the list is then opened again if needed and the item clicked again, at most three times, as a person
    /// would. What was chosen is for the caller to check.
    /// </summary>
    public static async Task ChooseItemAsync(ILocator scope, string name, Func<ILocator, ILocator> pick)
    {
        var items = scope.Page.Locator(".mud-popover-open .mud-list-item");
        for (var attempt = 1; ; attempt++)
        {
            if (await items.CountAsync() == 0)
            {
                await Select(scope, name).First.ClickAsync();
            }

            await pick(items).ClickAsync();
            try
            {
                await Assertions.Expect(items).ToHaveCountAsync(0, new() { Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
            }
        }
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
