using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>The Online page over the demo's events: the range toggle reads minute or hour aggregates and keeps the choice in the address.</summary>
public sealed class OnlinePageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    /// <summary>The demo stream waits for the demo's evaluations (it replays their answers): minutes on a busy machine.</summary>
    private static readonly TimeSpan EvaluationsDone = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_day_is_drawn_from_minute_aggregates_a_week_from_hours_and_the_address_follows()
    {
        SignInAs(QualityHubRoles.Viewer);
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("online");
        var page = Render<OnlinePage>();
        page.WaitForAssertion(() => Assert.Equal("hour", page.Find(".qh-online").GetAttribute("data-resolution")), Slow);
        // The demo's events are written after its models are evaluated; the page follows them live.
        page.WaitForAssertion(() => Assert.True(long.Parse(page.Find(".qh-online").GetAttribute("data-online-events")!) > 0, "the demo sends online events"), EvaluationsDone);

        await page.InvokeAsync(() => page.FindComponent<MudToggleGroup<string>>().Instance.ValueChanged.InvokeAsync("24h"));

        page.WaitForAssertion(() => Assert.Equal("minute", page.Find(".qh-online").GetAttribute("data-resolution")), Slow);
        Assert.EndsWith("&range=24h", navigation.Uri);
        Assert.Contains("online?module=", navigation.Uri);
    }
}
